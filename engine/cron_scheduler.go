package engine

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultCronTick is how often the scheduler looks for due jobs.
const DefaultCronTick = 10 * time.Second

// cronState tracks the runs going on in this process: at most one per job,
// and at most one queued behind it.
type cronState struct {
	mu      sync.Mutex
	running map[int64]bool
	queued  map[int64]*CronRun
	// ctx is the scheduler's: runs end when it is cancelled (Close).
	ctx context.Context
	wg  *sync.WaitGroup
}

func newCronState(wg *sync.WaitGroup) *cronState {
	return &cronState{running: map[int64]bool{}, queued: map[int64]*CronRun{}, ctx: context.Background(), wg: wg}
}

// begin marks job id running unless it is already.
func (c *cronState) begin(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running[id] {
		return false
	}
	c.running[id] = true
	return true
}

// end takes the queued run of job id, or marks it idle and returns nil.
func (c *cronState) end(id int64) *CronRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	if q := c.queued[id]; q != nil {
		delete(c.queued, id)
		return q
	}
	delete(c.running, id)
	return nil
}

// runCron ticks the scheduler until ctx is done. Runs recorded as going
// when the server stopped are marked interrupted first; they do not run
// again.
func (e *Engine) runCron(ctx context.Context) {
	if n, err := e.cfg.Store.InterruptCronRuns(ctx, e.now()); err != nil {
		e.log.Error("mark interrupted scheduled runs", "err", err)
	} else if n > 0 {
		e.log.Warn("scheduled runs interrupted by a server stop", "runs", n)
	}
	tick := time.NewTicker(e.cfg.CronTick)
	defer tick.Stop()
	for {
		e.cronTick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// cronTick claims and starts every due job.
func (e *Engine) cronTick(ctx context.Context) {
	jobs, err := e.cfg.Store.ListCronJobs(ctx, "")
	if err != nil {
		e.log.Error("list scheduled jobs", "err", err)
		return
	}
	now := e.now()
	for _, j := range jobs {
		if j.Paused || j.NextRun.IsZero() || j.NextRun.After(now) {
			continue
		}
		if err := e.claimCron(ctx, j, now); err != nil && ErrorCode(err) != ECONFLICT {
			e.log.Error("claim scheduled slot", "app", j.App, "job", j.Name, "err", err)
		}
	}
}

// claimCron records j's due slot (moving its next slot past now, so the
// slots missed while the server was down run once) and starts the run, or
// records it skipped or queued behind a run still going.
func (e *Engine) claimCron(ctx context.Context, j *CronJob, now time.Time) error {
	slot := j.NextRun
	run := &CronRun{App: j.App, Job: j.Name, Trigger: "schedule", Status: CronRunning, StartedAt: now}
	if missed := e.missedSlots(j, slot, now); now.Sub(slot) > cronLateAfter {
		run.Trigger = "missed"
		run.Message = fmt.Sprintf("due at %s while the server was down; run once for %s", slot.Format(time.RFC3339), plural(missed, "slot"))
	}
	started := e.cron.begin(j.ID)
	if !started {
		run.Status = CronSkipped
		run.FinishedAt = now
		run.Message = "the previous run was still going"
		if j.Overlap == CronOverlapQueue && !e.cron.hasQueued(j.ID) {
			run.Status, run.FinishedAt, run.Message = CronQueued, time.Time{}, "queued behind the previous run"
		}
	}
	if err := e.cfg.Store.ClaimCronSlot(ctx, j.ID, slot, e.nextSlot(j, now), run); err != nil {
		if started {
			e.cron.end(j.ID)
		}
		return err
	}
	switch {
	case started:
		e.goCron(j, run)
	case run.Status == CronQueued:
		e.cron.queue(j.ID, run)
	default:
		e.emit(ctx, Event{App: j.App, Kind: EventCronMissed, Process: cronProcess(j.Name),
			Message: fmt.Sprintf("scheduled job %s skipped its run due at %s: the previous run was still going", j.Name, slot.Format(time.RFC3339))})
	}
	if run.Trigger == "missed" {
		e.emit(ctx, Event{App: j.App, Kind: EventCronMissed, Process: cronProcess(j.Name), Message: "scheduled job " + j.Name + " was " + run.Message})
	}
	return nil
}

func (c *cronState) hasQueued(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queued[id] != nil
}

func (c *cronState) queue(id int64, run *CronRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queued[id] = run
}

// missedSlots counts j's slots from slot to now (at most 1000).
func (e *Engine) missedSlots(j *CronJob, slot, now time.Time) int {
	s, err := ParseCronSchedule(j.Schedule, j.TimeZone)
	if err != nil {
		return 1
	}
	n := 1
	for t := s.Next(slot); !t.IsZero() && !t.After(now) && n < 1000; t = s.Next(t) {
		n++
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
