package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
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
		{name: "Node.js (ms from npm, a lockfile, a build script)", repo: lockedRepo(t, nodeApp), answer: "ms(2s)=2000",
			touch: func(i int) (string, string) { return "bench.txt", fmt.Sprint(i) }},
	}
	apps := []string{"gobench", "pybench", "nodebench"}
	var rows, phases strings.Builder
	only := os.Getenv("QUAYSIDE_BENCH_LANGS") // e.g. "go,node": measure these, write nothing
	for k, smp := range samples {
		if only != "" && !slices.Contains(strings.Split(only, ","), strings.TrimSuffix(apps[k], "bench")) {
			continue
		}
		r := benchSample(t, s, smp, apps[k])
		fmt.Fprintf(&rows, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", smp.name,
			ms(median(r.cold)), ms(slices.Min(r.cold)), ms(slices.Max(r.cold)),
			ms(median(r.warm)), ms(slices.Min(r.warm)), ms(slices.Max(r.warm)), r.load)
		phases.WriteString(phaseRow(smp.name+", cold", phaseMedians(r.coldPhases), median(r.cold)))
		phases.WriteString(phaseRow(smp.name+", warm", phaseMedians(r.warmPhases), median(r.warm)))
	}
	if only != "" {
		t.Logf("QUAYSIDE_BENCH_LANGS=%s: docs/benchmarks.md left as it is\n%s\n%s%s", only, rows.String(), phaseHeader(), phases.String())
		return
	}
	writeBenchSection(t, "buildpack-langs", fmt.Sprintf(`Measured %s on %s (%d CPUs): each sample pushed with git over SSH, built by
the offline builder (%s), until the push returns with the release serving;
cold is git push -o clear-cache (%d runs), warm keeps the build cache (%d runs).
Targets: warm median <= 5 s, cold <= 15 s. The machine is shared: "load" is
the 1-minute load average before and after the sample's pushes.

| sample | cold median | cold min | cold max | warm median | warm min | warm max | load |
|---|---|---|---|---|---|---|---|
%s
Where the time goes, median seconds per phase (from when each step's line
reached the pusher): receive is git and SSH up to the build's first line;
prepare + detect is extracting the tree, pack's setup, the lifecycle's
analyzer and detector; restore is the build cache's layers; image to start
is pack's clean-up, labelling the image and recording the release; health
is from the container's start to its first healthy answer; drain + return
is stopping the previous release until the push returns.

%s%s`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), testBuilder(), 3, benchRuns,
		rows.String(), phaseHeader(), phases.String()))
}

// langResult is what benchSample measured of one sample.
type langResult struct {
	cold, warm             []time.Duration
	coldPhases, warmPhases [][]time.Duration
	load                   string // load averages before and after
}

// benchSample pushes one sample 3 times cold and benchRuns times warm.
func benchSample(t *testing.T, s *server, smp langSample, app string) langResult {
	t.Helper()
	r := langResult{load: loadAverage()}
	push := func(i int, opts ...string) (time.Duration, []time.Duration) {
		file, content := smp.touch(i)
		writeFile(t, smp.repo, file, content)
		commitAll(t, smp.repo, "bench")
		lines, took := timedPush(t, s, smp.repo, app, opts...)
		if os.Getenv("QUAYSIDE_BENCH_VERBOSE") != "" {
			for _, l := range lines {
				t.Logf("%6.2f %s", l.at.Seconds(), l.text)
			}
		}
		return took, phaseTimes(lines, took)
	}
	for i := range 3 {
		took, ph := push(i, "--push-option=clear-cache")
		r.cold, r.coldPhases = append(r.cold, took), append(r.coldPhases, ph)
	}
	for i := range benchRuns {
		took, ph := push(100 + i)
		r.warm, r.warmPhases = append(r.warm, took), append(r.warmPhases, ph)
	}
	require.Contains(t, s.body(app, "/"), smp.answer)
	r.load += " / " + loadAverage()
	t.Logf("%s: cold %v, warm %v, load %s", smp.name, r.cold, r.warm, r.load)
	return r
}

// pushLine is one line of a push's output and when it arrived.
type pushLine struct {
	at   time.Duration
	text string
}

// timedPush pushes like s.push and stamps each line of output with the
// time since the push started.
func timedPush(t *testing.T, s *server, repo, app string, extra ...string) ([]pushLine, time.Duration) {
	t.Helper()
	cmd := s.pushCommand(repo, app, extra...)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	require.NoError(t, cmd.Start())
	_ = w.Close()
	var lines []pushLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, pushLine{at: time.Since(start), text: sc.Text()})
	}
	err = cmd.Wait()
	took := time.Since(start)
	_ = r.Close()
	var all strings.Builder
	for _, l := range lines {
		all.WriteString(l.text + "\n")
	}
	require.NoError(t, err, all.String())
	return lines, took
}

// lockedRepo is newRepo with a package-lock.json that npm on this machine
// makes from package.json, as a developer commits it.
func lockedRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	repo := newRepo(t, files)
	lock := exec.Command("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund")
	lock.Dir = repo
	out, err := lock.CombinedOutput()
	require.NoError(t, err, "npm on this machine makes the lockfile: %s", out)
	commitAll(t, repo, "lockfile")
	return repo
}
