package engine

import (
	"context"
	"sync"
	"time"
)

// logCollector follows the output of every container of every app into
// the log store, one goroutine per running container.
type logCollector struct {
	e      *Engine
	rt     LogFollower
	mu     sync.Mutex
	active map[string]bool      // container IDs being followed
	last   map[string]time.Time // container ID -> time of the last line stored
	wg     sync.WaitGroup
}

func newLogCollector(e *Engine, rt LogFollower) *logCollector {
	return &logCollector{e: e, rt: rt, active: map[string]bool{}, last: map[string]time.Time{}}
}

// startAll follows every running container.
func (lc *logCollector) startAll(ctx context.Context) {
	cs, err := lc.e.cfg.Runtime.Containers(ctx, "")
	if err != nil {
		lc.e.log.Error("list containers to collect logs", "err", err)
		return
	}
	for _, c := range cs {
		if c.Running {
			lc.follow(ctx, c)
		}
	}
}

// follow starts following c unless it is followed already. After a daemon
// restart it resumes after the last line stored for the container.
func (lc *logCollector) follow(ctx context.Context, c *Container) {
	lc.mu.Lock()
	if lc.active[c.ID] {
		lc.mu.Unlock()
		return
	}
	lc.active[c.ID] = true
	since, ok := lc.last[c.ID]
	lc.mu.Unlock()
	if ok {
		since = since.Add(time.Nanosecond) // since is inclusive
	} else {
		since = lc.resumePoint(ctx, c)
	}
	lc.wg.Add(1)
	go func() {
		defer lc.wg.Done()
		defer lc.done(c.ID)
		err := lc.rt.FollowLogs(ctx, c.ID, since, func(l LogLine) { lc.store(c.ID, l) })
		if err != nil && ctx.Err() == nil && ErrorCode(err) != ENOTFOUND {
			lc.e.log.Warn("follow container output", "app", c.App, "container", c.Name, "err", err)
		}
	}()
}

// store appends a line of container id. A line older than the last one
// stored for the container is a repeat: Docker sends lines again when it
// rotates its log file under a reader that lags. (Pieces of one split
// line share a time, so equal times are kept.)
func (lc *logCollector) store(id string, l LogLine) {
	lc.mu.Lock()
	last, seen := lc.last[id]
	if seen && l.Time.Before(last) {
		lc.mu.Unlock()
		return
	}
	lc.last[id] = l.Time
	lc.mu.Unlock()
	lc.e.cfg.Logs.Append(l)
}

func (lc *logCollector) done(id string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	delete(lc.active, id)
}

// forget drops what is known of a container that is gone.
func (lc *logCollector) forget(id string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if !lc.active[id] {
		delete(lc.last, id)
	}
}

// resumePoint is just after the newest stored line of c, or c's creation
// when nothing of it is stored.
func (lc *logCollector) resumePoint(ctx context.Context, c *Container) time.Time {
	lines, err := lc.e.cfg.Logs.Query(ctx, LogQuery{App: c.App, Process: c.Process, Tail: 500})
	if err == nil {
		for i := len(lines) - 1; i >= 0; i-- {
			l := lines[i]
			if l.Replica == c.Replica && l.Release == c.Release && l.Stream != StreamPlatform {
				return l.Time.Add(time.Nanosecond)
			}
		}
	}
	return c.CreatedAt
}

// onEvent follows containers that start and forgets ones that die for good.
func (lc *logCollector) onEvent(ctx context.Context, ev RuntimeEvent) {
	switch ev.Action {
	case EventStart:
		c := ev.Container
		lc.follow(ctx, &c)
	case EventDie:
		lc.forget(ev.Container.ID)
	}
}
