package e2e

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernames"
)

// benchScaleApps is how many apps TestBenchTwoHundredApps deploys unless
// QUAYSIDE_BENCH_APPS says otherwise.
const benchScaleApps = 200

// benchScaleWindow is how many pushes the first and the last push medians take.
const benchScaleWindow = 20

// scalePoint is the daemon's footprint with some apps running.
type scalePoint struct {
	apps       int
	rss        rss
	goroutines int
	fds        int
	// sampled is how many apps /metrics shows a container memory figure for.
	sampled int
	heap    int64 // Go heap in use
	// files counts the open files by kind (see fileKinds).
	files map[string]int
}

// scaleRun holds what TestBenchTwoHundredApps measured.
type scaleRun struct {
	n                 int
	pushes, destroys  []time.Duration
	points            []scalePoint
	restarted, after  scalePoint
	apiLat, dashLat   []time.Duration
	startup, duration time.Duration
}

// TestBenchTwoHundredApps pushes the sample app as 200 apps (or
// QUAYSIDE_BENCH_APPS) one after another and measures how the daemon
// scales: the time of each push, its resident memory, goroutines and open
// files along the way, the apps API and the dashboard's apps page with
// every app deployed, the start-up until every app answers, and what is
// left after every app is destroyed. It asserts only behaviour (every app
// answers, before and after a restart; nothing of the apps is left after
// they are destroyed) and writes the figures to docs/benchmarks.md.
func TestBenchTwoHundredApps(t *testing.T) {
	skipUnlessBench(t)
	began := time.Now()
	r := scaleRun{n: scaleAppCount(t)}
	bin, _, _ := quaysideSizes(t)
	s := newServer(t)
	s.startTimed(bin, nil)
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	r.points = append(r.points, s.footprint(0))

	names := s.pushScaleApps(t, &r)
	token := s.adminSecret("admin@bench.test", "bench password 1")
	r.apiLat = s.pageLatencies(token, "/api/v1/apps", names)
	r.dashLat = s.pageLatencies(token, "/", names)

	r.startup = s.restartTimes(bin, 1, func() bool { return s.allServe(names) })[0]
	r.restarted = s.footprint(r.n)

	for _, name := range names {
		r.destroys = append(r.destroys, timed(func() { s.mustCLI("apps", "destroy", name, "--confirm", name) }))
	}
	s.requireNoAppLeft(token)
	r.after = s.footprint(0)
	r.duration = time.Since(began)
	writeBenchSection(t, "scale", scaleReport(r))
}

// scaleAppCount is QUAYSIDE_BENCH_APPS, or benchScaleApps when it is unset.
func scaleAppCount(t *testing.T) int {
	v := os.Getenv("QUAYSIDE_BENCH_APPS")
	if v == "" {
		return benchScaleApps
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "QUAYSIDE_BENCH_APPS is a number of apps")
	require.GreaterOrEqual(t, n, 4, "QUAYSIDE_BENCH_APPS is at least 4")
	return n
}

// pushScaleApps pushes the sample app as r.n apps one after another,
// timing each push, checking that each app answers, and reading the
// daemon's footprint at a quarter, half and all of the apps.
func (s *server) pushScaleApps(t *testing.T, r *scaleRun) []string {
	repo := sampleRepo(t, "scale")
	marks := []int{r.n / 4, r.n / 2, r.n}
	names := make([]string, r.n)
	for i := range names {
		names[i] = fmt.Sprintf("s%03d", i+1)
		r.pushes = append(r.pushes, timed(func() { s.mustPush(repo, names[i]) }))
		require.Equal(t, "scale", s.body(names[i], "/"), "app %s answers after its push", names[i])
		if slices.Contains(marks, i+1) {
			r.points = append(r.points, s.footprint(i+1))
		}
		if (i+1)%10 == 0 {
			t.Logf("%d apps pushed; push %d took %s", i+1, i+1, ms(r.pushes[i]))
		}
	}
	return names
}

// footprint reads the daemon's resident memory once it has been idle (see
// idleRSS), its goroutines and its open files.
func (s *server) footprint(apps int) scalePoint {
	s.t.Helper()
	p := scalePoint{apps: apps, rss: s.idleRSS()}
	s.saveHeapProfile(apps)
	fams := s.scrape()
	p.goroutines = int(counter(fams, "go_goroutines", nil))
	p.sampled = sampledApps(fams)
	p.heap = int64(counter(fams, "go_memstats_heap_inuse_bytes", nil))
	p.files = fileKinds(s.t, s.cmd.Process.Pid, s.data)
	for _, n := range p.files {
		p.fds += n
	}
	return p
}

// fileKinds counts the open files of process pid by kind: TCP sockets to
// or on loopback and others, unix sockets, files under data (by the
// directory or file at its top), and the rest.
func fileKinds(t *testing.T, pid int, data string) map[string]int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	require.NoError(t, err)
	tcp := tcpRemotes(pid)
	unix := socketInodes(fmt.Sprintf("/proc/%d/net/unix", pid), 6)
	out := map[string]int{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(dir, fd.Name()))
		ino, ok := strings.CutPrefix(link, "socket:[")
		ino = strings.TrimSuffix(ino, "]")
		switch remote, isTCP := tcp[ino]; {
		case err != nil:
		case ok && isTCP && (strings.HasSuffix(remote, "7F") || strings.HasSuffix(remote, "00000001")):
			out["tcp loopback"]++
		case ok && isTCP:
			out["tcp other"]++
		case ok && unix[ino]:
			out["unix"]++
		case strings.HasPrefix(link, data+"/"):
			sub, _, _ := strings.Cut(strings.TrimPrefix(link, data+"/"), "/")
			out["data/"+sub]++
		default:
			out["other"]++
		}
	}
	return out
}

// tcpRemotes maps the socket inodes of pid's IPv4 and IPv6 TCP sockets to
// their remote address in /proc's hex form (an IPv4 address's first byte
// is its last two digits).
func tcpRemotes(pid int) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"tcp", "tcp6"} {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, name))
		for l := range strings.Lines(string(b)) {
			f := strings.Fields(l)
			if len(f) > 9 && f[0] != "sl" {
				addr, _, _ := strings.Cut(f[2], ":")
				out[f[9]] = addr
			}
		}
	}
	return out
}

// socketInodes is the set of inodes in column col of a /proc/net table.
func socketInodes(path string, col int) map[string]bool {
	b, _ := os.ReadFile(path)
	out := map[string]bool{}
	for l := range strings.Lines(string(b)) {
		if f := strings.Fields(l); len(f) > col {
			out[f[col]] = true
		}
	}
	return out
}

// sampledApps counts the apps with a container memory figure in fams.
func sampledApps(fams map[string]*dto.MetricFamily) int {
	apps := map[string]bool{}
	for _, m := range fams["quayside_container_memory_bytes"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "app" {
				apps[l.GetValue()] = true
			}
		}
	}
	return len(apps)
}

// adminSecret adds an admin account and returns the secret of the API
// token its login makes.
func (s *server) adminSecret(email, password string) string {
	s.t.Helper()
	s.addUser(email, "admin", password)
	var res struct{ Secret string }
	code := s.api("POST", "/api/v1/login", "", map[string]string{"email": email, "password": password}, &res)
	require.Equal(s.t, http.StatusCreated, code)
	require.NotEmpty(s.t, res.Secret)
	return res.Secret
}

// pageLatencies requests path on the control host with token 20 times and
// returns each request's time; every answer is a 200 naming the first and
// the last app.
func (s *server) pageLatencies(token, path string, names []string) []time.Duration {
	s.t.Helper()
	var out []time.Duration
	for range 20 {
		req, err := http.NewRequest(http.MethodGet, s.controlURL()+path, nil)
		require.NoError(s.t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := loopbackClient.Do(req)
		require.NoError(s.t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
		require.NoError(s.t, err)
		require.Equal(s.t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, body)
		for _, name := range []string{names[0], names[len(names)-1]} {
			require.Contains(s.t, string(body), name, "GET %s lists every app", path)
		}
	}
	return out
}

// allServe reports whether every app answers 200 through the proxy.
func (s *server) allServe(names []string) bool {
	for _, name := range names {
		if code, _, err := s.get(name, "/"); err != nil || code != http.StatusOK {
			return false
		}
	}
	return true
}

// requireNoAppLeft checks that the API lists no app and that Docker holds
// no container and no network of the daemon's instance.
func (s *server) requireNoAppLeft(token string) {
	s.t.Helper()
	var list struct{ Apps []struct{ Name string } }
	require.Equal(s.t, http.StatusOK, s.api("GET", "/api/v1/apps", token, nil, &list))
	require.Empty(s.t, list.Apps, "no app is listed after every app is destroyed")

	cli := dockerClient(s.t)
	defer cli.Close()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+s.instance))
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	require.NoError(s.t, err)
	require.Empty(s.t, cs, "no container of the instance is left")
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	require.NoError(s.t, err)
	var names []string
	for _, n := range nets {
		names = append(names, n.Name)
	}
	require.Empty(s.t, names, "no network of the instance is left")
}

// scaleReport formats the figures for docs/benchmarks.md.
func scaleReport(r scaleRun) string {
	w := min(benchScaleWindow, r.n/2)
	first, last := median(r.pushes[:w]), median(r.pushes[r.n-w:])
	tenth := r.pushes[min(10, r.n)-1]
	nth := r.pushes[r.n-1]
	base, full := r.points[0], r.points[len(r.points)-1]
	return fmt.Sprintf(`Measured %s on %s (%d CPUs, shared with other work: expect noise), Docker %s,
the release build of the daemon, **%d apps** of the sample app (one web
container each), pushed one after another with git over SSH; the whole run
took %s.

| what | figure | target | met |
|---|---|---|---|
| push, median of pushes 1-%d vs %d-%d | %s vs %s (x%.2f) | | |
| push %d vs push %d | %s vs %s (x%.2f) | <= x1.5 | %s |
| resident memory, idle, %d apps running | %s | <= 100 MB | %s |
| start-up, %d apps running (process start until every app answers through the proxy) | %s | <= 5 s | %s |
| GET /api/v1/apps, %d apps (median of 20; min, max) | %s (%s, %s) | <= 100 ms | %s |
| dashboard apps page (GET /), %d apps (median of 20; min, max) | %s (%s, %s) | <= 100 ms | %s |
| destroy, median of %d (apps destroy over the control socket) | %s | | |

Footprint along the way (resident memory as in the daemon footprint section:
idle 5 s, median of 5 readings; goroutines from /metrics; open files from
/proc/<pid>/fd; apps with container metrics: apps /metrics shows
quayside_container_memory_bytes for, sampled every 10 s):

| apps running | resident memory | Go heap in use | goroutines | open files | apps with container metrics |
|---|---|---|---|---|---|
%s%s%s
Goroutines and open files per app (from 0 to %d apps): %.1f and %.1f; after
the apps are destroyed: %+d goroutines and %+d open files against the start
(target: back near the start, within 10%% + 5): %s.
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(), r.n,
		r.duration.Round(time.Second),
		w, r.n-w+1, r.n, ms(first), ms(last), ratio(last, first),
		min(10, r.n), r.n, ms(tenth), ms(nth), ratio(nth, tenth), met(float64(nth) <= 1.5*float64(tenth)),
		r.n, full.rss, met(full.rss.total <= 100e6),
		r.n, ms(r.startup), met(r.startup <= 5*time.Second),
		r.n, msf(median(r.apiLat)), msf(slices.Min(r.apiLat)), msf(slices.Max(r.apiLat)), met(median(r.apiLat) <= 100*time.Millisecond),
		r.n, msf(median(r.dashLat)), msf(slices.Min(r.dashLat)), msf(slices.Max(r.dashLat)), met(median(r.dashLat) <= 100*time.Millisecond),
		len(r.destroys), ms(median(r.destroys)),
		scaleRows(r.points, ""), scaleRows([]scalePoint{r.restarted}, ", after a restart"),
		scaleRows([]scalePoint{r.after}, ", after destroying every app"),
		r.n, perApp(full.goroutines-base.goroutines, r.n), perApp(full.fds-base.fds, r.n),
		r.after.goroutines-base.goroutines, r.after.fds-base.fds,
		met(near(r.after.goroutines, base.goroutines) && near(r.after.fds, base.fds)))
}

// scaleRows formats the footprint readings as table rows, note after the
// number of apps.
func scaleRows(ps []scalePoint, note string) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "| %d%s | %s | %s | %d | %d (%s) | %d |\n", p.apps, note, p.rss, mib(p.heap), p.goroutines,
			p.fds, fileCounts(p.files), p.sampled)
	}
	return b.String()
}

// fileCounts prints the open files by kind, in the order of the kinds' names.
func fileCounts(kinds map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	return strings.Join(parts, ", ")
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func perApp(delta, n int) float64 { return float64(delta) / float64(n) }

// near reports whether v is back near base: at most 10% + 5 above it.
func near(v, base int) bool { return float64(v) <= 1.1*float64(base)+5 }

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// saveHeapProfile writes the daemon's heap profile to
// $QUAYSIDE_BENCH_PROFILE/heap-<n>-<apps>apps.pb.gz when that is set and the
// daemon serves pprof ($QUAYSIDE_PPROF_ADDR, which it inherits), for
// `go tool pprof` to show what holds the memory at each point.
func (s *server) saveHeapProfile(apps int) {
	dir, addr := os.Getenv("QUAYSIDE_BENCH_PROFILE"), os.Getenv("QUAYSIDE_PPROF_ADDR")
	if dir == "" || addr == "" {
		return
	}
	resp, err := loopbackClient.Get("http://" + addr + "/debug/pprof/heap?gc=1")
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	heapProfiles++
	name := filepath.Join(dir, fmt.Sprintf("heap-%d-%dapps.pb.gz", heapProfiles, apps))
	require.NoError(s.t, os.WriteFile(name, b, 0o644))
}

// heapProfiles numbers the profiles saveHeapProfile writes.
var heapProfiles int
