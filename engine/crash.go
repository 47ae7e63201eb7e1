package engine

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// crashTracker tells crashes from the stops the engine makes itself, and
// crash loops from single crashes.
type crashTracker struct {
	mu       sync.Mutex
	stopping map[string]time.Time   // container ID -> when the engine stopped it
	crashes  map[string][]time.Time // app/process.replica -> recent crashes
	looping  map[string]time.Time   // app/process.replica -> when a loop was reported
	died     map[string]bool        // container IDs that died and may restart
}

func newCrashTracker() *crashTracker {
	return &crashTracker{
		stopping: map[string]time.Time{}, crashes: map[string][]time.Time{},
		looping: map[string]time.Time{}, died: map[string]bool{},
	}
}

// stopContainer stops c on purpose: its die event is not a crash.
func (e *Engine) stopContainer(ctx context.Context, id string, grace time.Duration) error {
	e.crashes.mu.Lock()
	e.crashes.stopping[id] = e.now()
	e.crashes.mu.Unlock()
	return e.cfg.Runtime.Stop(ctx, id, grace)
}

// observe turns a runtime event of a current release's container into a
// platform event: a crash, a restart, running out of memory, a crash loop.
func (e *Engine) observe(ctx context.Context, ev RuntimeEvent) {
	c := ev.Container
	if !e.crashes.unexpected(c.ID, ev.Time) {
		return
	}
	app, err := e.cfg.Store.FindApp(ctx, c.App)
	if err != nil || app.CurrentRelease != c.Release {
		return
	}
	name := fmt.Sprintf("%s.%d", c.Process, c.Replica)
	base := Event{App: c.App, Release: c.Release, Process: name, Time: ev.Time}
	switch ev.Action {
	case EventOOM:
		base.Kind, base.Message = EventOutOfMemory, oomMessage(name, e.memoryLimit(ctx, c))
	case EventDie:
		base.Kind, base.Message = EventCrashed, fmt.Sprintf("%s of v%d exited with code %d", name, c.Release, ev.ExitCode)
		e.emit(ctx, base)
		e.crashes.markDied(c.ID)
		if loop := e.crashes.record(c.App+"/"+name, e.now(), e.cfg.CrashLoopRestarts, e.cfg.CrashLoopWindow); loop {
			base.Kind = EventCrashLooping
			base.Message = fmt.Sprintf("%s crashed %d times within %s: it keeps crashing; `quayside logs %s` shows why", name, e.cfg.CrashLoopRestarts, e.cfg.CrashLoopWindow, c.App)
			e.recordIncident(ctx, c.App, c.Release, IncidentCrashLoop, e.now())
		} else {
			return
		}
	case EventStart:
		if !e.crashes.restarted(c.ID) {
			return
		}
		base.Kind, base.Message = EventRestarted, name+" was restarted after a crash"
	default:
		return
	}
	e.emit(ctx, base)
}

// unexpected reports whether an event of container id is not the result of
// a stop the engine made, forgetting old stops.
func (t *crashTracker) unexpected(id string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, at := range t.stopping {
		if now.Sub(at) > 10*time.Minute {
			delete(t.stopping, k)
		}
	}
	_, stopped := t.stopping[id]
	return !stopped
}

func (t *crashTracker) markDied(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.died[id] = true
}

// restarted reports (once) whether id starts again after dying.
func (t *crashTracker) restarted(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.died[id]
	delete(t.died, id)
	return was
}

// record notes a crash of key and reports whether it makes a new crash
// loop: n crashes within window, not reported within the last window.
func (t *crashTracker) record(key string, now time.Time, n int, window time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := []time.Time{now}
	for _, at := range t.crashes[key] {
		if now.Sub(at) < window {
			recent = append(recent, at)
		}
	}
	t.crashes[key] = recent
	if len(recent) < n || now.Sub(t.looping[key]) < window {
		return false
	}
	t.looping[key] = now
	return true
}

// memoryLimit is the memory limit c runs with: the one it was started
// with, else (a runtime that does not say) its process type's.
func (e *Engine) memoryLimit(ctx context.Context, c Container) int64 {
	if c.Limits.MemoryBytes > 0 {
		return c.Limits.MemoryBytes
	}
	lim, err := e.appLimits(ctx, c.App)
	if err != nil {
		return 0
	}
	return lim.of(c.Process).MemoryBytes
}

// oomMessage says in words that process name was killed for using more
// memory than its limit allows (0: it has none).
func oomMessage(name string, limit int64) string {
	if limit <= 0 {
		return name + " was killed: out of memory (it has no memory limit: the server itself ran out)"
	}
	return fmt.Sprintf("%s was killed: out of memory at its %s limit", name, FormatMemory(limit))
}
