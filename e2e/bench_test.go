package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchRuns is how many times each timed step is repeated.
const benchRuns = 7

// skipUnlessBench skips benchmarks outside `make bench`.
func skipUnlessBench(t *testing.T) {
	if os.Getenv("QUAYSIDE_BENCH") != "1" {
		t.Skip("benchmark: run with make bench")
	}
}

// TestBenchDeploy measures push to live, rollback to serving, and failures
// during redeploys under load, and writes the figures to docs/benchmarks.md.
func TestBenchDeploy(t *testing.T) {
	skipUnlessBench(t)
	s := startServer(t)
	repo := sampleRepo(t, "r0")
	cold := timed(func() { s.mustPush(repo, "bench") })

	var pushes []time.Duration
	for i := 1; i <= benchRuns; i++ {
		writeFile(t, repo, "message.txt", fmt.Sprintf("r%d", i))
		commitAll(t, repo, "bench")
		pushes = append(pushes, timed(func() { s.mustPush(repo, "bench") }))
		require.Equal(t, fmt.Sprintf("r%d", i), s.body("bench", "/"))
	}

	var rollbacks []time.Duration
	for i := range benchRuns {
		// Alternate between the two releases before the last push: recent
		// enough to keep their images (--keep-releases).
		target := benchRuns - i%2 // v(benchRuns+1) serves "r<benchRuns>"
		want := fmt.Sprintf("r%d", target-1)
		done := make(chan error, 1)
		rollbacks = append(rollbacks, timed(func() {
			go func() {
				out, err := s.cli("rollback", "bench", fmt.Sprintf("v%d", target))
				if err != nil {
					err = fmt.Errorf("%w: %s", err, out)
				}
				done <- err
			}()
			waitFor(t, 30*time.Second, "the rolled-back release to serve", func() bool {
				_, body, err := s.get("bench", "/")
				return err == nil && body == want
			})
		}))
		require.NoError(t, <-done)
	}

	l := s.startLoad("bench", 2)
	for i := range 10 {
		writeFile(t, repo, "message.txt", fmt.Sprintf("load%d", i))
		commitAll(t, repo, "load")
		s.mustPush(repo, "bench")
	}
	failures := l.stop()
	assert.Empty(t, failures)

	writeBenchSection(t, "deploy", fmt.Sprintf(`Measured %s on %s (%d CPUs), Docker %s, the sample app (a static Go
binary in a FROM scratch image, a 5-line Dockerfile), %d runs each.

| what | median | min | max | target |
|---|---|---|---|---|
| push to live, warm (git push until it returns; the release already serves) | %s | %s | %s | <= 5 s |
| push to live, cold (first push of the app) | %s | | | |
| rollback: command to the old release serving | %s | %s | %s | <= 2 s |

Redeploy under load: 10 pushes in a row while 2 keep-alive clients request the
app without pause: %d requests, **%d failed**, lowest rate in any second %d
requests/s (target: 0 failed at >= 200 requests/s).
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(), benchRuns,
		ms(median(pushes)), ms(slices.Min(pushes)), ms(slices.Max(pushes)), ms(cold),
		ms(median(rollbacks)), ms(slices.Min(rollbacks)), ms(slices.Max(rollbacks)),
		l.ok.Load()+l.fail.Load(), len(failures), l.minRate()))
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

func hostName() string {
	h, _ := os.Hostname()
	return h
}

func dockerVersion() string {
	out, err := execOut("docker", "version", "--format", "{{.Server.Version}}")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(out)
}

// writeBenchSection replaces the text between the section's markers in
// docs/benchmarks.md.
func writeBenchSection(t *testing.T, name, body string) {
	t.Helper()
	path := filepath.Join("..", "docs", "benchmarks.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	start, end := "<!-- bench:"+name+":start -->", "<!-- bench:"+name+":end -->"
	before, rest, ok := strings.Cut(string(doc), start)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", start)
	_, after, ok := strings.Cut(rest, end)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", end)
	out := before + start + "\n" + body + end + after
	require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	t.Logf("wrote the %s section of docs/benchmarks.md:\n%s", name, body)
}

// TestBenchBuildpacks measures push to live for the Go sample through the
// offline builder: cold (empty build cache) and warm.
func TestBenchBuildpacks(t *testing.T) {
	skipUnlessBench(t)
	s := startServer(t)
	repo := appRepo(t, "go")
	var cold, warm []time.Duration
	for i := range 3 {
		writeFile(t, repo, "bench.go", fmt.Sprintf("package main\n\nconst benchRun = %d\n", i))
		commitAll(t, repo, "cold")
		cold = append(cold, timed(func() {
			out, err := s.push(repo, "gobench", "--push-option=clear-cache")
			require.NoError(t, err, out)
		}))
	}
	for i := range benchRuns {
		writeFile(t, repo, "bench.go", fmt.Sprintf("package main\n\nconst benchRun = %d\n", 100+i))
		commitAll(t, repo, "warm")
		warm = append(warm, timed(func() { s.mustPush(repo, "gobench") }))
	}
	require.Contains(t, s.body("gobench", "/"), "Hello from the go sample")
	writeBenchSection(t, "buildpacks", fmt.Sprintf(`Measured %s on %s (%d CPUs): the Go sample (e2e/testdata/apps/go, standard
library only) pushed with git over SSH, built by the offline builder
(quayside/builder:offline, Go %s in the build image), until the push returns
with the release serving.

| what | median | min | max | runs | target |
|---|---|---|---|---|---|
| push to live, cold (git push -o clear-cache) | %s | %s | %s | %d | |
| push to live, warm (build cache kept) | %s | %s | %s | %d | <= 15 s |
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), "1.19",
		ms(median(cold)), ms(slices.Min(cold)), ms(slices.Max(cold)), len(cold),
		ms(median(warm)), ms(slices.Min(warm)), ms(slices.Max(warm)), len(warm)))
}
