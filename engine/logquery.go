package engine

import (
	"context"
	"slices"
	"strings"
)

// processesWithLogs are the types that write logs besides the release's own.
var processesWithLogs = []string{"platform", ProcessBuild, ProcessRelease, "run"}

// Logs returns app's stored log lines that q selects, oldest first.
func (e *Engine) Logs(ctx context.Context, q LogQuery) ([]LogLine, error) {
	if err := e.checkLogQuery(ctx, q); err != nil {
		return nil, err
	}
	if q.Tail == NoHistory {
		return nil, nil
	}
	return e.cfg.Logs.Query(ctx, q)
}

// FollowLogs returns the history q selects and then delivers new lines as
// they come, until ctx ends.
func (e *Engine) FollowLogs(ctx context.Context, q LogQuery) ([]LogLine, <-chan LogDelivery, error) {
	if err := e.checkLogQuery(ctx, q); err != nil {
		return nil, nil, err
	}
	if q.Tail == NoHistory {
		q.Tail = 0 // the store ignores Tail when it follows
		live, err := e.cfg.Logs.Follow(ctx, q)
		return nil, live, err
	}
	return e.cfg.Logs.QueryFollow(ctx, q)
}

// checkLogQuery checks access, that logs are kept, and the process type.
func (e *Engine) checkLogQuery(ctx context.Context, q LogQuery) error {
	if err := e.authorize(ctx, ActReadLogs, q.App); err != nil {
		return err
	}
	app, err := e.cfg.Store.FindApp(ctx, q.App)
	if err != nil {
		return err
	}
	if e.cfg.Logs == nil {
		return Errorf(ENOTIMPLEMENTED, "this server keeps no logs")
	}
	if q.Process == "" {
		return nil
	}
	known := slices.Clone(processesWithLogs)
	if app.CurrentRelease != 0 {
		if rel, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease); err == nil {
			known = append(processTypes(rel.processes()), known...)
		}
	}
	if jobs, err := e.cfg.Store.ListCronJobs(ctx, app.Name); err == nil {
		for _, j := range jobs {
			known = append(known, cronProcess(j.Name))
		}
	}
	if !slices.Contains(known, q.Process) {
		return FieldError("process", "app %s has no process type %q: it has %s", app.Name, q.Process, strings.Join(known, ", "))
	}
	return nil
}
