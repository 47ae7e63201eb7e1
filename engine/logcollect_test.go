package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/internal/procfd"
	"github.com/quayside/quayside/store/logs"
)

// printingRuntime is a fake runtime whose containers print what the test
// hands Print, kept the way Docker's json-file keeps it: FollowLogs replays
// every line at or after since, then delivers new ones until the container
// stops (Stop) or ctx ends.
type printingRuntime struct {
	*enginetest.Runtime
	mu      sync.Mutex
	output  map[string][]engine.LogLine // container ID -> what it printed
	changed chan struct{}               // closed and replaced at every change
	ended   map[string]bool             // containers whose current follow ends
	follows map[string]int              // container ID -> FollowLogs running
}

var _ engine.LogFollower = (*printingRuntime)(nil)

func newPrintingRuntime(rt *enginetest.Runtime) *printingRuntime {
	return &printingRuntime{Runtime: rt, output: map[string][]engine.LogLine{}, changed: make(chan struct{}), ended: map[string]bool{}, follows: map[string]int{}}
}

func (p *printingRuntime) wake() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Print adds lines to c's output; each Text is printed at its time.
func (p *printingRuntime) Print(c *engine.Container, at time.Time, texts ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, text := range texts {
		p.output[c.ID] = append(p.output[c.ID], engine.LogLine{
			Time: at.Add(time.Duration(i) * time.Millisecond), App: c.App, Process: c.Process,
			Replica: c.Replica, Release: c.Release, Stream: engine.StreamStdout, Text: text,
		})
	}
	p.wake()
}

// Redeliver sends the follower of c its line n again, as Docker does when
// it rotates its log file under a reader that lags.
func (p *printingRuntime) Redeliver(c *engine.Container, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.output[c.ID] = append(p.output[c.ID], p.output[c.ID][n])
	p.wake()
}

// EndFollow makes the current FollowLogs of c return, as when it stops.
func (p *printingRuntime) EndFollow(c *engine.Container) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended[c.ID] = true
	p.wake()
}

// Following reports whether c's output is being followed.
func (p *printingRuntime) Following(c *engine.Container) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.follows[c.ID] > 0
}

// FollowLogs implements engine.LogFollower.
func (p *printingRuntime) FollowLogs(ctx context.Context, id string, since time.Time, deliver func(engine.LogLine)) error {
	p.mu.Lock()
	p.ended[id] = false
	p.follows[id]++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.follows[id]--
		p.mu.Unlock()
	}()
	next, first := 0, true
	for {
		p.mu.Lock()
		out, ended, changed := p.output[id], p.ended[id], p.changed
		p.mu.Unlock()
		for ; next < len(out); next++ {
			// Since filters the replay only: a line sent again later (a
			// rotation) reaches the follower whatever its time.
			if !first || !out[next].Time.Before(since) {
				deliver(out[next])
			}
		}
		first = false
		if ended {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// Stats implements engine.LogFollower.
func (p *printingRuntime) Stats(context.Context, string) (engine.ContainerStats, error) {
	return engine.ContainerStats{}, nil
}

// collectRig is a rig whose engine collects container output into a log
// store on disk, and can be restarted like the daemon.
type collectRig struct {
	*rig
	prt     *printingRuntime
	logsDir string
	logs    *logs.Store
}

// newCollectRig deploys shop with web replicas and starts the engine.
func newCollectRig(t *testing.T, replicas int) *collectRig {
	r := &collectRig{rig: newRig(t), logsDir: filepath.Join(t.TempDir(), "logs")}
	r.prt = newPrintingRuntime(r.rt)
	r.mustPush("shop", "img1")
	if replicas > 1 {
		_, err := r.eng.Scale(context.Background(), engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": replicas}})
		require.NoError(t, err)
	}
	r.start()
	return r
}

// start opens the log store and starts an engine on it.
func (r *collectRig) start() {
	ls, err := logs.Open(r.logsDir, logs.Options{})
	require.NoError(r.t, err)
	r.logs = ls
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.prt, Builder: r.builder, Router: r.router, Repos: r.repos, Logs: ls,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
	require.NoError(r.t, r.eng.Start(context.Background()))
	r.t.Cleanup(r.stop)
}

// stop closes the engine and the log store, as a daemon shutting down.
func (r *collectRig) stop() {
	if r.logs == nil {
		return
	}
	require.NoError(r.t, r.eng.Close())
	require.NoError(r.t, r.logs.Close())
	r.logs = nil
}

// stored returns the texts of shop's container output in the log store.
func (r *collectRig) stored() []string {
	lines, err := r.logs.Query(context.Background(), engine.LogQuery{App: "shop"})
	require.NoError(r.t, err)
	var texts []string
	for _, l := range lines {
		if l.Stream != engine.StreamPlatform {
			texts = append(texts, l.Text)
		}
	}
	return texts
}

// waitStored waits until n lines of output are stored and returns them.
func (r *collectRig) waitStored(n int) []string {
	r.t.Helper()
	waitUntil(r.t, func() bool { return len(r.stored()) >= n })
	return r.stored()
}

func TestLogCollectionResumesAfterARestartWithoutGapsOrRepeats(t *testing.T) {
	r := newCollectRig(t, 2)
	web := r.running("shop", "web")
	require.Len(t, web, 2)
	one, two := web[0], web[1]
	t0 := time.Now().Add(-time.Minute)
	r.prt.Print(one, t0, "1: a", "1: b")
	r.waitStored(2)
	r.prt.Print(two, t0.Add(10*time.Second), "2: a") // the newest line stored is another replica's
	r.waitStored(3)

	r.stop()
	r.prt.Print(one, t0.Add(time.Second), "1: printed while the daemon was down")
	r.prt.Print(two, t0.Add(11*time.Second), "2: printed while the daemon was down")
	r.start()
	r.prt.Print(one, t0.Add(20*time.Second), "1: after")
	got := r.waitStored(6)
	assert.ElementsMatch(t, []string{"1: a", "1: b", "2: a", "1: printed while the daemon was down", "2: printed while the daemon was down", "1: after"}, got)
}

func TestLogCollectionFollowsARestartedContainerFromWhereItWas(t *testing.T) {
	r := newCollectRig(t, 1)
	web := r.running("shop", "web")[0]
	t0 := time.Now().Add(-time.Minute)
	r.prt.Print(web, t0, "before the crash")
	r.waitStored(1)

	r.prt.EndFollow(web) // Docker ends the stream of a container that stops
	waitUntil(t, func() bool { return !r.prt.Following(web) })
	r.prt.Print(web, t0.Add(time.Second), "after the restart")
	r.rt.Emit(engine.RuntimeEvent{Action: engine.EventStart, Container: *web, Time: time.Now()})
	assert.Equal(t, []string{"before the crash", "after the restart"}, r.waitStored(2))
	r.prt.Print(web, t0.Add(2*time.Second), "last")
	assert.Equal(t, []string{"before the crash", "after the restart", "last"}, r.waitStored(3))
}

func TestLogCollectionDropsLinesDockerSendsAgain(t *testing.T) {
	r := newCollectRig(t, 1)
	web := r.running("shop", "web")[0]
	t0 := time.Now().Add(-time.Minute)
	r.prt.Print(web, t0, "one", "two")
	r.waitStored(2)
	r.prt.Redeliver(web, 0)
	r.prt.Print(web, t0.Add(time.Second), "three")
	assert.Equal(t, []string{"one", "two", "three"}, r.waitStored(3))
}

// openFilesUnder counts this process's open file descriptors whose path is
// under dir.
func openFilesUnder(t *testing.T, dir string) int {
	t.Helper()
	n, err := procfd.OpenUnder(dir)
	require.NoError(t, err)
	return n
}

// Destroying an app leaves no file of its log history open: before the
// fix, the "destroyed" event's line reached the log store after the
// history was removed, started a new one and kept its file open for good.
func TestDestroyClosesTheAppsLogFiles(t *testing.T) {
	r := newCollectRig(t, 1)
	ctx := context.Background()
	r.prt.Print(r.running("shop", "web")[0], time.Now(), "hello")
	r.waitStored(1)
	require.NoError(t, r.logs.Flush(ctx))
	require.Positive(t, openFilesUnder(t, r.logsDir), "the app's active segment is open while it runs")

	require.NoError(t, r.eng.Destroy(ctx, "shop"))
	require.NoError(t, r.logs.Flush(ctx))
	assert.Zero(t, openFilesUnder(t, r.logsDir), "no log file stays open after destroy")
	entries, err := os.ReadDir(r.logsDir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no log history of the destroyed app is left")
}
