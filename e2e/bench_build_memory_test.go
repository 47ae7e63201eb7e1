package e2e

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Builds of the build memory benchmark: the first buildMemCold with an
// empty build cache (git push -o clear-cache), the rest warm.
const (
	buildMemBuilds = 10
	buildMemCold   = 3
)

// The benchmark's app carries assets like a real one: buildMemAssets files
// of buildMemAssetBytes random bytes each (16 MB in all), which the build
// extracts, hands to the lifecycle and exports into the image.
const (
	buildMemAssets     = 400
	buildMemAssetBytes = 40 << 10
)

// addAssets adds the assets to the repository at dir and commits them.
func addAssets(t *testing.T, dir string) {
	rnd := rand.New(rand.NewSource(13))
	buf := make([]byte, buildMemAssetBytes)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	for i := range buildMemAssets {
		_, _ = rnd.Read(buf)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", fmt.Sprintf("a%03d.bin", i)), buf, 0o644))
	}
	commitAll(t, dir, "assets")
}

// buildMemWait is how long after the builds the daemon's memory is read
// again.
const buildMemWait = time.Minute

// TestBenchBuildMemory measures what buildpacks builds do to the daemon's
// resident memory: its peak during each of 10 builds in a row (sampled every
// 100 ms), and its idle memory before them and a minute after them; also
// the build process's own peak and push-to-live times. With
// QUAYSIDE_BENCH_BASELINE set to a quayside binary of an earlier version
// (one that builds in the daemon's process) it measures that one too, for
// the "before" column.
func TestBenchBuildMemory(t *testing.T) {
	skipUnlessBench(t)
	bin, _, _ := quaysideSizes(t)
	after := measureBuildMemory(t, bin)
	var before *buildMemory
	if base := os.Getenv("QUAYSIDE_BENCH_BASELINE"); base != "" {
		m := measureBuildMemory(t, base)
		before = &m
	}
	writeBenchSection(t, "build-memory", buildMemoryReport(before, after))
	assert.LessOrEqual(t, slices.Max(after.daemonPeaks), int64(150e6), "peak daemon RSS during a build")
	assert.LessOrEqual(t, after.idleAfter.total-after.idleBefore.total, int64(15e6), "RSS a minute after the builds against before")
	assert.NotEmpty(t, after.workerPeaks, "the builds ran in build processes")
}

// buildMemory is one run of the benchmark.
type buildMemory struct {
	idleBefore, idleAfter rss
	daemonPeaks           []int64 // peak VmRSS of the daemon during each build
	daemonHWM             int64   // VmHWM of the daemon after the builds
	workerPeaks           []int64 // peak RSS (VmHWM) of each build process
	cold, warm            []time.Duration
}

// measureBuildMemory runs bin as the daemon and pushes the Go sample
// buildMemBuilds times in a row.
func measureBuildMemory(t *testing.T, bin string) buildMemory {
	s := newServer(t)
	s.startTimed(bin, nil)
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	pid := s.cmd.Process.Pid
	m := buildMemory{idleBefore: s.idleRSS()}
	repo := appRepo(t, "go")
	addAssets(t, repo)
	for i := range buildMemBuilds {
		writeFile(t, repo, "bench.go", fmt.Sprintf("package main\n\nconst benchRun = %d\n", i))
		commitAll(t, repo, "bench")
		var extra []string
		if i < buildMemCold {
			extra = []string{"--push-option=clear-cache"}
		}
		smp := startSampler(pid)
		d := timed(func() {
			out, err := s.push(repo, "gomem", extra...)
			require.NoError(t, err, out)
		})
		daemonPeak, workers := smp.stop()
		m.daemonPeaks = append(m.daemonPeaks, daemonPeak)
		m.workerPeaks = append(m.workerPeaks, workers...)
		if i < buildMemCold {
			m.cold = append(m.cold, d)
		} else {
			m.warm = append(m.warm, d)
		}
	}
	require.Contains(t, s.body("gomem", "/"), "Hello from the go sample")
	time.Sleep(buildMemWait - 5*time.Second) // idleRSS waits the other 5 s
	m.idleAfter = s.idleRSS()
	m.daemonHWM = procStatus(pid)["VmHWM:"]
	s.stop(os.Interrupt)
	return m
}

// sampler reads the daemon's VmRSS and its build processes' VmHWM every
// 100 ms until stopped.
type sampler struct {
	pid     int
	done    chan struct{}
	wg      sync.WaitGroup
	peak    int64
	workers map[int]int64 // pid -> peak
}

func startSampler(pid int) *sampler {
	s := &sampler{pid: pid, done: make(chan struct{}), workers: map[int]int64{}}
	s.wg.Add(1)
	go s.run()
	return s
}

func (s *sampler) run() {
	defer s.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

func (s *sampler) sample() {
	s.peak = max(s.peak, procStatus(s.pid)["VmRSS:"])
	for _, w := range buildWorkers(s.pid) {
		st := procStatus(w)
		s.workers[w] = max(s.workers[w], st["VmHWM:"], st["VmRSS:"])
	}
}

// stop ends the sampling and returns the daemon's peak and each build
// process's.
func (s *sampler) stop() (int64, []int64) {
	close(s.done)
	s.wg.Wait()
	var ws []int64
	for _, p := range s.workers {
		ws = append(ws, p)
	}
	return s.peak, ws
}

// procStatus reads the kB fields of /proc/pid/status, in bytes; empty when
// the process is gone.
func procStatus(pid int) map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), "\t")
		v = strings.TrimSpace(v)
		if !ok || !strings.HasSuffix(v, " kB") {
			continue
		}
		if kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64); err == nil {
			out[name] = kb << 10
		}
	}
	return out
}

func medianBytes(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// buildMemoryReport is the docs/benchmarks.md section.
func buildMemoryReport(before *buildMemory, after buildMemory) string {
	col := func(f func(m buildMemory) string) string {
		if before == nil {
			return "not measured | " + f(after)
		}
		return f(*before) + " | " + f(after)
	}
	peaks := func(v []int64) string {
		if len(v) == 0 {
			return "(none)"
		}
		return fmt.Sprintf("%s (max %s)", opsMiB(medianBytes(v)), opsMiB(slices.Max(v)))
	}
	delta := func(m buildMemory) string {
		return fmt.Sprintf("%+.1f MB", float64(m.idleAfter.total-m.idleBefore.total)/1e6)
	}
	dur := func(ds []time.Duration) string {
		return fmt.Sprintf("%s (%s-%s)", ms(median(ds)), ms(slices.Min(ds)), ms(slices.Max(ds)))
	}
	rows := []string{
		"| daemon peak RSS during a build, median of " + strconv.Itoa(buildMemBuilds) + " builds (max) | " +
			col(func(m buildMemory) string { return peaks(m.daemonPeaks) }) + " | <= 150 MB |",
		"| daemon VmHWM (its lifetime peak) after the builds | " + col(func(m buildMemory) string { return opsMiB(m.daemonHWM) }) + " | |",
		"| build process peak RSS, median (max) | " + col(func(m buildMemory) string { return peaks(m.workerPeaks) }) + " | |",
		"| daemon RSS, idle, before the builds | " + col(func(m buildMemory) string { return m.idleBefore.String() }) + " | |",
		"| daemon RSS, idle, a minute after the builds | " + col(func(m buildMemory) string { return m.idleAfter.String() }) + " | |",
		"| after - before | " + col(delta) + " | <= +15 MB |",
		"| push to live, cold (-o clear-cache), median (min-max) of " + strconv.Itoa(buildMemCold) + " | " +
			col(func(m buildMemory) string { return dur(m.cold) }) + " | |",
		"| push to live, warm, median (min-max) of " + strconv.Itoa(buildMemBuilds-buildMemCold) + " | " +
			col(func(m buildMemory) string { return dur(m.warm) }) + " | |",
	}
	return fmt.Sprintf(`Measured %s on %s (%d CPUs, shared with other work: expect noise), Docker %s, the
release build of the daemon. The Go sample (e2e/testdata/apps/go) with %d assets of %d KiB
(random bytes) pushed %d times in a row with git over SSH (the first %d with -o clear-cache),
built by the offline builder.
Peaks: VmRSS from /proc every 100 ms during each push (build processes: their VmHWM).
Idle: as in the daemon footprint section (idle 5 s, median of 5 readings a second
apart), before the first push and %s after the last. "Before" is the daemon
building in its own process (QUAYSIDE_BENCH_BASELINE: a binary of the commit before
the build worker), "after" with each build in a build process.

| what | before: builds in the daemon | after: builds in a build process | target |
|---|---|---|---|
%s
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(),
		buildMemAssets, buildMemAssetBytes>>10, buildMemBuilds, buildMemCold, buildMemWait, strings.Join(rows, "\n"))
}
