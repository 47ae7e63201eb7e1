package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// goCron runs run of j in the background, then the run queued behind it,
// if any. The caller has marked j running (cronState.begin).
func (e *Engine) goCron(j *CronJob, run *CronRun) {
	e.cron.wg.Add(1)
	go func() {
		defer e.cron.wg.Done()
		for run != nil {
			e.execCron(e.cron.ctx, j, run)
			if run = e.cron.end(j.ID); run != nil {
				run.Status, run.StartedAt = CronRunning, e.now()
			}
		}
	}()
}

// execCron runs one run of j in a one-off container of its app's current
// release, within j's timeout, and records how it ended; a run that did
// not succeed raises a cron.failed event (and so the app's alerts).
func (e *Engine) execCron(ctx context.Context, j *CronJob, run *CronRun) {
	ctx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	code, err := e.cronContainer(ctx, j)
	run.ExitCode, run.FinishedAt = code, e.now()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		run.Status, run.Message = CronTimedOut, fmt.Sprintf("stopped after its timeout of %s", j.Timeout)
	case ctx.Err() != nil:
		run.Status, run.Message = CronInterrupted, "the server stopped during the run"
	case err != nil:
		run.Status, run.Message = CronFailed, firstLine(ErrorMessage(err))
	case code != 0:
		run.Status, run.Message = CronFailed, fmt.Sprintf("exited with code %d", code)
	default:
		run.Status = CronSucceeded
	}
	bg := context.WithoutCancel(ctx)
	if err := e.cfg.Store.UpdateCronRun(bg, run); err != nil {
		e.log.Error("record scheduled run", "app", j.App, "job", j.Name, "err", err)
	}
	e.log.Info("scheduled run ended", "app", j.App, "job", j.Name, "status", run.Status, "code", code)
	if run.Status == CronFailed || run.Status == CronTimedOut {
		e.emit(bg, Event{App: j.App, Kind: EventCronFailed, Process: cronProcess(j.Name),
			Message: fmt.Sprintf("scheduled job %s %s: %s (see quayside logs %s --process %s)", j.Name, run.Status, run.Message, j.App, cronProcess(j.Name))})
	}
}

// cronContainer runs j's command against its app's current release.
func (e *Engine) cronContainer(ctx context.Context, j *CronJob) (int, error) {
	app, err := e.appForChange(ctx, j.App)
	if err != nil {
		return 0, err
	}
	if app.CurrentRelease == 0 {
		return 0, Errorf(EINVALID, "app %s has no release yet: deploy it first", app.Name)
	}
	return e.runOneOff(ctx, app, j.Command, cronProcess(j.Name), io.Discard)
}

// startCron starts the scheduler; Close stops it and waits for the runs.
func (e *Engine) startCron(ctx context.Context) {
	e.cron.ctx = ctx
	e.wg.Add(1)
	go func() { defer e.wg.Done(); e.runCron(ctx) }()
}

// waitCron waits for the runs started by the scheduler or by hand.
func (e *Engine) waitCron() { e.cron.wg.Wait() }
