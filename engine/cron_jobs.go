package engine

import (
	"context"
	"strings"
	"time"
)

// Audit actions of scheduled jobs.
const (
	AuditCronAdd    = "cron.add"
	AuditCronRemove = "cron.remove"
	AuditCronPause  = "cron.pause"
	AuditCronResume = "cron.resume"
	AuditCronRun    = "cron.run"
)

// AddCronJob validates j, fills its defaults and next slot, and adds it to
// its app by hand. Roles as for Run.
func (e *Engine) AddCronJob(ctx context.Context, j CronJob) (_ *CronJob, err error) {
	if err := e.authorize(ctx, ActDeploy, j.App); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditCronAdd, j.App, j.Name, j.Schedule, err) }()
	if _, err := e.appForChange(ctx, j.App); err != nil {
		return nil, err
	}
	j.Source, j.Paused, j.CreatedBy = CronSourceManual, false, actor(ctx, j.CreatedBy)
	if j.Name == "" {
		if j.Name, err = e.freeCronName(ctx, j.App, j.Command); err != nil {
			return nil, err
		}
	}
	if err := validateCronJob(&j); err != nil {
		return nil, err
	}
	j.NextRun = e.nextSlot(&j, e.now())
	if err := e.cfg.Store.AddCronJob(ctx, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// freeCronName derives a job name from cmd that app's jobs do not have.
func (e *Engine) freeCronName(ctx context.Context, app string, cmd []string) (string, error) {
	jobs, err := e.cfg.Store.ListCronJobs(ctx, app)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, j := range jobs {
		taken[j.Name] = true
	}
	return jobNameFrom(strings.Join(cmd, " "), taken), nil
}

// CronJobs returns app's scheduled jobs by name.
func (e *Engine) CronJobs(ctx context.Context, app string) ([]*CronJob, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	return e.cfg.Store.ListCronJobs(ctx, app)
}

// CronJob returns app's scheduled job name.
func (e *Engine) CronJob(ctx context.Context, app, name string) (*CronJob, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	return e.cfg.Store.FindCronJob(ctx, app, name)
}

// RemoveCronJob removes a job added by hand and its history; a job from
// app.json is removed from app.json.
func (e *Engine) RemoveCronJob(ctx context.Context, app, name string) (err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditCronRemove, app, name, "", err) }()
	j, err := e.cfg.Store.FindCronJob(ctx, app, name)
	if err != nil {
		return err
	}
	if j.Source == CronSourceAppJSON {
		return Errorf(EINVALID, "the job %s of app %s is declared in app.json: remove it there and push, or pause it (quayside cron pause %s %s)", name, app, app, name)
	}
	return e.cfg.Store.RemoveCronJob(ctx, app, name)
}

// PauseCronJob pauses (paused) or resumes a job. A resumed job next runs
// at its first slot after now: the slots it missed while paused are not
// made up.
func (e *Engine) PauseCronJob(ctx context.Context, app, name string, paused bool) (err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return err
	}
	action := AuditCronResume
	if paused {
		action = AuditCronPause
	}
	defer func() { e.audit(ctx, action, app, name, "", err) }()
	j, err := e.cfg.Store.FindCronJob(ctx, app, name)
	if err != nil {
		return err
	}
	var next time.Time
	if !paused {
		next = e.nextSlot(j, e.now())
	}
	return e.cfg.Store.SetCronPaused(ctx, app, name, paused, next)
}

// CronHistory returns up to limit runs of app's jobs (of job alone unless
// it is ""), newest first.
func (e *Engine) CronHistory(ctx context.Context, app, job string, limit int) ([]*CronRun, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxCronHistory {
		limit = MaxCronHistory
	}
	return e.cfg.Store.ListCronRuns(ctx, app, job, limit)
}

// RunCronJob starts a run of app's job now, in the background, and returns
// it as recorded. A job that is running already is ECONFLICT.
func (e *Engine) RunCronJob(ctx context.Context, app, name string) (_ *CronRun, err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditCronRun, app, name, "", err) }()
	j, err := e.cfg.Store.FindCronJob(ctx, app, name)
	if err != nil {
		return nil, err
	}
	if !e.cron.begin(j.ID) {
		return nil, Errorf(ECONFLICT, "the job %s of app %s is running: wait for it to end (quayside cron history %s %s)", name, app, app, name)
	}
	run := &CronRun{App: app, Job: name, Trigger: "manual by " + actor(ctx, "the server"), Status: CronRunning, StartedAt: e.now()}
	if err := e.cfg.Store.AddCronRun(ctx, j.ID, run); err != nil {
		e.cron.end(j.ID)
		return nil, err
	}
	e.goCron(j, run)
	return run, nil
}

// nextSlot is j's first slot after t, zero if it has none (or its schedule
// no longer parses).
func (e *Engine) nextSlot(j *CronJob, t time.Time) time.Time {
	s, err := ParseCronSchedule(j.Schedule, j.TimeZone)
	if err != nil {
		e.log.Warn("scheduled job has a bad schedule", "app", j.App, "job", j.Name, "err", err)
		return time.Time{}
	}
	return s.Next(t).UTC()
}
