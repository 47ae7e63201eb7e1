package e2e

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// langSample is one language's sample for TestBenchBuildpackLangs: a repo,
// a file the bench rewrites to make each push a new commit, and what the
// app answers.
type langSample struct {
	name   string
	repo   string
	touch  func(i int) (file, content string)
	answer string
}

// TestBenchBuildpackLangs measures push to live for a Go, a Python (with a
// requirement from a package index) and a Node.js (with a dependency from
// the npm registry and a build script) app: cold (git push -o clear-cache)
// and warm, and writes the figures to docs/benchmarks.md.
func TestBenchBuildpackLangs(t *testing.T) {
	skipUnlessBench(t)
	ix := startPyIndex(t,
		wheel{name: "qs-greeting", version: "1.0", requires: []string{"qs-dep"},
			files: map[string]string{"qs_greeting/__init__.py": "from qs_dep import NAME\n\ndef greet():\n    return 'Hello from ' + NAME\n"}},
		wheel{name: "qs-dep", version: "2.0", files: map[string]string{"qs_dep/__init__.py": "NAME = 'the local index'\n"}},
	)
	s := startServer(t, "--builder", testBuilder())
	s.mustCLI("apps", "create", "pybench")
	s.mustCLI("config", "set", "pybench", "PIP_INDEX_URL="+ix.url, "PIP_TRUSTED_HOST="+ix.gateway)
	samples := []langSample{
		{name: "Go (standard library)", repo: appRepo(t, "go"), answer: "Hello from the go sample",
			touch: func(i int) (string, string) {
				return "bench.go", fmt.Sprintf("package main\n\nconst benchRun = %d\n", i)
			}},
		{name: "Python (2 packages from an index)", answer: "Hello from the local index",
			repo:  newRepo(t, map[string]string{"Procfile": "web: python app.py\n", "requirements.txt": "qs-greeting==1.0\n", "app.py": pyServer}),
			touch: func(i int) (string, string) { return "bench.txt", fmt.Sprint(i) }},
		{name: "Node.js (ms from npm, a build script)", repo: newRepo(t, nodeApp), answer: "ms(2s)=2000",
			touch: func(i int) (string, string) { return "bench.txt", fmt.Sprint(i) }},
	}
	apps := []string{"gobench", "pybench", "nodebench"}
	var rows strings.Builder
	for k, smp := range samples {
		cold, warm := benchSample(t, s, smp, apps[k])
		fmt.Fprintf(&rows, "| %s | %s | %s | %s | %s | %s | %s |\n", smp.name,
			ms(median(cold)), ms(slices.Min(cold)), ms(slices.Max(cold)),
			ms(median(warm)), ms(slices.Min(warm)), ms(slices.Max(warm)))
	}
	writeBenchSection(t, "buildpack-langs", fmt.Sprintf(`Measured %s on %s (%d CPUs): each sample pushed with git over SSH, built by
the offline builder (%s), until the push returns with the release serving;
cold is git push -o clear-cache (%d runs), warm keeps the build cache (%d runs).
Targets: warm median <= 5 s, cold <= 15 s.

| sample | cold median | cold min | cold max | warm median | warm min | warm max |
|---|---|---|---|---|---|---|
%s`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), testBuilder(), 3, benchRuns, rows.String()))
}

// benchSample pushes one sample 3 times cold and benchRuns times warm.
func benchSample(t *testing.T, s *server, smp langSample, app string) (cold, warm []time.Duration) {
	t.Helper()
	push := func(i int, opts ...string) time.Duration {
		file, content := smp.touch(i)
		writeFile(t, smp.repo, file, content)
		commitAll(t, smp.repo, "bench")
		return timed(func() {
			out, err := s.push(smp.repo, app, opts...)
			require.NoError(t, err, out)
		})
	}
	for i := range 3 {
		cold = append(cold, push(i, "--push-option=clear-cache"))
	}
	for i := range benchRuns {
		warm = append(warm, push(100+i))
	}
	require.Contains(t, s.body(app, "/"), smp.answer)
	t.Logf("%s: cold %v, warm %v", smp.name, cold, warm)
	return cold, warm
}
