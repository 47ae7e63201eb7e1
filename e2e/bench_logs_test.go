package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api"
)

// The log benchmark's shape: runs of each kind, and the lines and rates
// each prints. Lines are about 100 bytes, like an access log.
const (
	logRuns     = 3
	pacedRate   = 10000
	pacedLines  = 10 * pacedRate
	fastLines   = 100000
	fanRate     = 1000
	fanLines    = 10 * fanRate
	fanFollower = 100
	pumpPad     = 60
	logTarget   = 250 * time.Millisecond
	// followIdle ends a follower that has had no message for that long.
	followIdle = 10 * time.Second
)

// TestBenchLogs measures the log path from a container's stdout to a
// follower of the logs WebSocket on the control socket, and the daemon's
// memory with 100 followers, and writes the figures to docs/benchmarks.md.
func TestBenchLogs(t *testing.T) {
	skipUnlessBench(t)
	s := startServer(t)
	s.mustPush(pumpRepo(t), "pump")
	pid := s.cmd.Process.Pid

	fan := s.fanOut(t, "fan", pid) // first, so the runs' history queries do not weigh on its memory figures
	var paced, fast []pumpStats
	for i := range logRuns {
		paced = append(paced, s.pumpToFollower(t, fmt.Sprintf("paced%d", i), pacedLines, pacedRate, pid))
	}
	for i := range logRuns {
		fast = append(fast, s.pumpToFollower(t, fmt.Sprintf("fast%d", i), fastLines, 0, pid))
	}
	split := [2]breakdown{s.pumpBreakdown(t, "splitpaced", pacedLines, pacedRate), s.pumpBreakdown(t, "splitfast", fastLines, 0)}

	p := medianStats(paced)
	writeLogsSection(t, logsReport(paced, fast, split, fan))
	assert.LessOrEqual(t, p.p99, logTarget, "p99 from write to follower at 10,000 lines/s")
	assert.Zero(t, p.lost, "every paced line reached the follower or was counted as missed")
	assert.Zero(t, fan.lost, "every line reached each of the 100 followers or was counted as missed")
	assert.LessOrEqual(t, fan.goroutinesAfter, fan.goroutinesBefore+10, "the followers' goroutines ended")
	assert.Less(t, fan.rssPeak-fan.rssBefore, int64(128<<20), "100 followers cost the daemon a bounded amount of memory")
}

// pumpRepo makes a git repository with the logpump app and its Dockerfile.
func pumpRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "logpump")
	require.NoError(t, run("", []string{"CGO_ENABLED=0"}, "go", "build", "-ldflags=-s -w", "-o", bin, "./testdata/logpump"))
	writeFile(t, dir, "Dockerfile", "FROM scratch\nCOPY logpump /logpump\nEXPOSE 5000\nCMD [\"/logpump\"]\n")
	gitIn(t, dir, "init", "-q", "--initial-branch=main")
	commitAll(t, dir, "first")
	return dir
}

// followLive opens the logs WebSocket of app on the control socket with
// one line of history: n=0 would mean the whole history, not none.
func (s *server) followLive(t *testing.T, app string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, "unix", filepath.Join(s.data, "control.sock"))
	}}
	conn, resp, err := d.Dial("ws://quayside/api/v1/apps/"+app+"/logs/ws?n=1", http.Header{})
	if resp != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// storedRun reads the app's last 100,000 stored lines through the API on
// the control socket and returns those of run.
func (s *server) storedRun(t *testing.T, app, run string) pumpResult {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, "unix", filepath.Join(s.data, "control.sock"))
	}}}
	resp, err := c.Get("http://quayside/api/v1/apps/" + app + "/logs?n=100000")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list api.LogList
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	var r pumpResult
	for _, l := range list.Lines {
		if seq, wrote, ok := parsePump(l.Text, run); ok {
			r.arrivals = append(r.arrivals, arrival{seq: seq, wrote: wrote, logged: l.Time, got: l.Time})
		}
	}
	return r
}

// startPump asks the pump app to print n lines tagged run at rate lines/s.
func (s *server) startPump(run string, n, rate int) {
	s.t.Helper()
	s.body("pump", fmt.Sprintf("/pump?run=%s&n=%d&rate=%d&size=%d", run, n, rate, pumpPad))
}

// pumpToFollower prints n lines at rate (0: as fast as possible) and
// measures them at one WebSocket follower, with the daemon's CPU use.
func (s *server) pumpToFollower(t *testing.T, run string, n, rate, pid int) pumpStats {
	conn := s.followLive(t, "pump")
	defer conn.Close()
	cpu0, wall0 := procCPU(pid), time.Now()
	s.startPump(run, n, rate)
	r := readWS(conn, run, n)
	describe(t, run, r, n)
	describeStored(t, s.storedRun(t, "pump", run), run, n)
	st := r.stats(n)
	st.cpu = 100 * (procCPU(pid) - cpu0).Seconds() / time.Since(wall0).Seconds()
	t.Logf("%s: %+v", run, st)
	return st
}

// breakdown compares, on one run, the Quayside follower with a reader of
// Docker's own log stream of the container.
type breakdown struct{ quayside, docker pumpStats }

func (s *server) pumpBreakdown(t *testing.T, run string, n, rate int) breakdown {
	conn := s.followLive(t, "pump")
	defer conn.Close()
	direct := s.followDocker(t, "pump", run, n)
	s.startPump(run, n, rate)
	q := readWS(conn, run, n)
	d := direct()
	describe(t, run+" quayside", q, n)
	describe(t, run+" docker", d, n)
	describeStored(t, s.storedRun(t, "pump", run), run, n)
	b := breakdown{quayside: q.stats(n), docker: d.stats(n)}
	t.Logf("%s: quayside %+v, docker %+v", run, b.quayside, b.docker)
	return b
}

// followDocker reads the running container of app through the Docker API
// (as docker logs -f does) and returns a function that waits for its result.
func (s *server) followDocker(t *testing.T, app, run string, n int) func() pumpResult {
	t.Helper()
	out, err := execOut("docker", "ps", "--format", "{{.ID}}", "--filter", "label=io.quayside.instance="+s.instance,
		"--filter", "label=io.quayside.app="+app)
	require.NoError(t, err)
	ids := strings.Fields(out)
	require.Len(t, ids, 1, "one running container of %s", app)
	cli := dockerClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := cli.ContainerLogs(ctx, ids[0], container.LogsOptions{ShowStdout: true, Follow: true, Tail: "0"})
	require.NoError(t, err)
	pr, pw := io.Pipe()
	go func() { _, err := stdcopy.StdCopy(pw, io.Discard, rc); pw.CloseWithError(err) }()
	done := make(chan pumpResult, 1)
	go func() { done <- scanPump(pr, run, n) }()
	return func() pumpResult { // waits up to followIdle more, then keeps what came
		select {
		case r := <-done:
			done <- r
		case <-time.After(followIdle):
		}
		cancel()
		rc.Close() // ends StdCopy, then scanPump
		r := <-done
		cli.Close()
		return r
	}
}

// scanPump reads lines until it has line n of run.
func scanPump(r io.Reader, run string, n int) pumpResult {
	res := pumpResult{arrivals: make([]arrival, 0, n)}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		got := time.Now()
		if seq, wrote, ok := parsePump(sc.Text(), run); ok {
			res.arrivals = append(res.arrivals, arrival{seq: seq, wrote: wrote, got: got})
			if seq == n {
				break
			}
		}
	}
	return res
}

// fanStats are the figures of the run with many followers.
type fanStats struct {
	pumpStats                                 // all followers' lines together
	rssBefore, rssAttached, rssPeak, rssAfter int64
	heapBefore, heapPeak, heapAfter           int64
	goroutinesBefore, goroutinesPeak          int
	goroutinesAfter                           int
}

// fanOut attaches fanFollower WebSocket followers while the app prints
// fanRate lines/s, samples the daemon's memory before, during and after,
// and disconnects the followers mid-stream.
func (s *server) fanOut(t *testing.T, run string, pid int) fanStats {
	var f fanStats
	f.rssBefore, f.heapBefore, f.goroutinesBefore = s.daemonMemory(pid)
	conns := make([]*websocket.Conn, fanFollower)
	for i := range conns {
		conns[i] = s.followLive(t, "pump")
	}
	f.rssAttached = procRSS(pid)
	results := make(chan pumpResult, fanFollower)
	for _, c := range conns {
		go func() { results <- readWS(c, run, fanLines) }()
	}
	cpu0, wall0 := procCPU(pid), time.Now()
	s.startPump(run, fanLines+5*fanRate, fanRate) // still printing when the followers leave
	f.pumpStats = fanTotals(s.sampleWhile(&f, pid, results))
	f.cpu = 100 * (procCPU(pid) - cpu0).Seconds() / time.Since(wall0).Seconds()
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, 30*time.Second, "the followers' goroutines to end", func() bool {
		f.rssAfter, f.heapAfter, f.goroutinesAfter = s.daemonMemory(pid)
		return f.goroutinesAfter <= f.goroutinesBefore+10
	})
	for range 20 { // the lowest over the next 5 s: the GC runs when it will
		time.Sleep(250 * time.Millisecond)
		rss, heap, _ := s.daemonMemory(pid)
		f.rssAfter, f.heapAfter = min(f.rssAfter, rss), min(f.heapAfter, heap)
	}
	t.Logf("%s: %+v", run, f)
	return f
}

// fanTotals adds up the followers' counts and takes the delays over all
// their lines.
func fanTotals(rs []pumpResult) pumpStats {
	var all pumpResult
	var sum pumpStats
	for _, r := range rs {
		st := r.stats(fanLines)
		sum.sent, sum.got, sum.missed = sum.sent+st.sent, sum.got+st.got, sum.missed+st.missed
		sum.dups, sum.lost = sum.dups+st.dups, sum.lost+st.lost
		all.arrivals = append(all.arrivals, r.arrivals...)
	}
	slices.SortFunc(all.arrivals, func(a, b arrival) int { return a.got.Compare(b.got) })
	st := all.stats(fanLines)
	sum.p50, sum.p99, sum.max = st.p50, st.p99, st.max
	return sum
}

// sampleWhile samples the daemon's memory every 250 ms until every
// follower has its result, and returns the results.
func (s *server) sampleWhile(f *fanStats, pid int, results <-chan pumpResult) []pumpResult {
	var rs []pumpResult
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for len(rs) < fanFollower {
		select {
		case r := <-results:
			rs = append(rs, r)
		case <-tick.C:
			rss, heap, g := s.daemonMemory(pid)
			f.rssPeak, f.heapPeak, f.goroutinesPeak = max(f.rssPeak, rss), max(f.heapPeak, heap), max(f.goroutinesPeak, g)
		}
	}
	return rs
}

// daemonMemory returns the daemon's RSS, Go heap in use and goroutines.
func (s *server) daemonMemory(pid int) (rss, heap int64, goroutines int) {
	fams := s.scrape()
	return procRSS(pid), int64(counter(fams, "go_memstats_heap_inuse_bytes", nil)), int(counter(fams, "go_goroutines", nil))
}

// procRSS returns VmRSS of a process in bytes.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// procCPU returns the CPU time (user and system) a process has used,
// assuming the usual 100 clock ticks per second.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(b), ") ") // the command may hold spaces
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
