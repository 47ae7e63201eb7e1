package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api"
)

// benchApps is how many apps run for the "many apps" figures.
const benchApps = 20

// TestBenchFootprint measures the daemon's footprint: its resident memory
// when idle with no app and with benchApps apps running, the binary's size,
// and the time from starting the process to serving; it writes the figures
// to docs/benchmarks.md.
func TestBenchFootprint(t *testing.T) {
	skipUnlessBench(t)
	releaseBin, release, plain := quaysideSizes(t)

	s := newServer(t)
	startEmpty := s.restartTimes(releaseBin, 5, nil)
	rssEmpty := s.idleRSS()

	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	apps := pushSampleApps(t, s, benchApps)
	rssApps := s.idleRSS()
	allServe := func() bool {
		for _, a := range apps {
			if code, _, err := s.get(a, "/"); err != nil || code != 200 {
				return false
			}
		}
		return true
	}
	startApps := s.restartTimes(releaseBin, 3, allServe)
	rssAppsAfter := s.idleRSS()

	writeBenchSection(t, "ops", fmt.Sprintf(`Measured %s on %s (%d CPUs), Docker %s, with the release build of the
daemon. Resident memory is VmRSS from /proc (split into RssAnon: heap and
stacks, and RssFile: the binary's own pages the kernel has read in), the
median of 5 readings a second apart once the daemon has been idle for 5 s.
The apps are the sample app (one web container each, deployed by git push):
the daemon follows their logs, metrics and events.

| what | figure | target |
|---|---|---|
| resident memory, idle, 0 apps | %s | <= 40 MB |
| resident memory, idle, %d apps running | %s | <= 60 MB |
| resident memory, idle, %d apps running, after a restart | %s | <= 60 MB |
| binary size, release build (-ldflags "-s -w") | %s | |
| binary size, plain go build | %s | |
| start-up to serving, 0 apps (process start until the API answers; median of %d) | %s | |
| start-up to serving, %d apps running (process start until every app answers through the proxy; median of %d) | %s | |
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(),
		rssEmpty, benchApps, rssApps, benchApps, rssAppsAfter, opsMiB(release), opsMiB(plain),
		len(startEmpty), ms(median(startEmpty)), benchApps, len(startApps), ms(median(startApps))))
}

// quaysideSizes builds the release binary and returns it, its size and the
// size of the binary the tests use (plain go build).
func quaysideSizes(t *testing.T) (bin string, release, plain int64) {
	out := filepath.Join(t.TempDir(), "quayside")
	require.NoError(t, run("", nil, "go", "build", "-ldflags", "-s -w", "-o", out, "../cmd/quayside"))
	for p, dst := range map[string]*int64{out: &release, quaysideBin: &plain} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		*dst = fi.Size()
	}
	return out, release, plain
}

// opsMiB prints n bytes in MB (the targets are in MB) and MiB.
func opsMiB(n int64) string {
	return fmt.Sprintf("%.1f MB = %.1f MiB", float64(n)/1e6, float64(n)/(1<<20))
}

// restartTimes stops the daemon if it runs and starts bin as the daemon n
// times, each time measuring from the process start until the API answers
// and, when serving is not nil, until serving holds.
func (s *server) restartTimes(bin string, n int, serving func() bool) []time.Duration {
	var out []time.Duration
	for range n {
		s.stop(os.Interrupt)
		out = append(out, s.startTimed(bin, serving))
	}
	return out
}

// startTimed starts bin as the daemon like start does, polling every 10 ms.
func (s *server) startTimed(bin string, serving func() bool) time.Duration {
	s.t.Helper()
	args := []string{"server", "--domain", s.domain, "--http-addr", s.httpAddr, "--https-addr", s.httpsAddr,
		"--ssh-addr", s.sshAddr, "--stop-grace", "2s"}
	s.cmd = exec.Command(bin, append(args, s.flags...)...)
	s.cmd.Env = append(os.Environ(), "QUAYSIDE_DATA="+s.data)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	cl := api.NewUnixClient(filepath.Join(s.data, "control.sock"))
	start := time.Now()
	require.NoError(s.t, s.cmd.Start())
	opsWaitFast(s.t, 60*time.Second, "the API to answer", func() bool {
		st, err := cl.Status(s.t.Context())
		if err == nil {
			s.instance = st.Instance
		}
		return err == nil
	})
	if serving != nil {
		opsWaitFast(s.t, 60*time.Second, "the apps to serve", serving)
	}
	return time.Since(start)
}

func opsWaitFast(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rss is one reading of a process's resident memory, in bytes.
type rss struct{ total, anon, file int64 }

func (r rss) String() string {
	return fmt.Sprintf("%s (anon %s, file %s)", opsMiB(r.total), opsMiB(r.anon), opsMiB(r.file))
}

// idleRSS waits 5 s, then returns the median of 5 readings of the
// daemon's resident memory, a second apart.
func (s *server) idleRSS() rss {
	s.t.Helper()
	time.Sleep(5 * time.Second)
	var rs []rss
	for range 5 {
		rs = append(rs, daemonRSS(s.t, s.cmd.Process.Pid))
		time.Sleep(time.Second)
	}
	slices.SortFunc(rs, func(a, b rss) int { return int(a.total - b.total) })
	return rs[len(rs)/2]
}

// daemonRSS reads VmRSS, RssAnon and RssFile of a process.
func daemonRSS(t *testing.T, pid int) rss {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer f.Close()
	var r rss
	fields := map[string]*int64{"VmRSS:": &r.total, "RssAnon:": &r.anon, "RssFile:": &r.file}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), "\t")
		if dst := fields[name]; ok && dst != nil {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			*dst = kb << 10
		}
	}
	require.Positive(t, r.total, "no VmRSS in /proc/%d/status", pid)
	return r
}

// pushSampleApps pushes the sample app as n apps, a few at a time, and returns
// their names.
func pushSampleApps(t *testing.T, s *server, n int) []string {
	repo := sampleRepo(t, "bench")
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("app%02d", i+1)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	errs := make([]error, n)
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if out, err := s.push(repo, name); err != nil {
				errs[i] = fmt.Errorf("push %s: %w\n%s", name, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	return names
}
