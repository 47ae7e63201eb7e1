package engine

import (
	"context"
	"strings"
	"time"
)

// recordCommits stores the commits rel's push brings to production: those
// reachable from the pushed commit and neither from the commit of the
// release that serves now nor from where the branch pointed before the
// push (the branch only moves when a push goes live, so what it reached
// was live already), newest first, at most MaxPushCommits. The first
// deploy of an app records the pushed commit alone: the history before it
// was not deployed here. A source that cannot list commits records
// nothing; a failure is logged and never fails the push.
func (e *Engine) recordCommits(ctx context.Context, app *App, rel *Release, req PushRequest) {
	log, ok := req.Source.(CommitLog)
	if !ok {
		return
	}
	serving := e.productionCommit(ctx, app)
	var exclude []string
	for _, c := range []string{serving, req.OldCommit} {
		if c != "" && strings.Trim(c, "0") != "" {
			exclude = append(exclude, c)
		}
	}
	limit := MaxPushCommits
	if serving == "" {
		exclude, limit = nil, 1
	}
	cs, err := log.Commits(ctx, exclude, limit)
	if ErrorCode(err) == ENOTFOUND { // what served was rewritten away
		cs, err = log.Commits(ctx, nil, 1)
	}
	if err == nil {
		err = e.cfg.Store.SaveReleaseCommits(ctx, rel.App, rel.Number, cs)
	}
	if err != nil {
		e.log.Warn("record the commits of a push", "app", rel.App, "release", rel.Number, "err", err)
	}
}

// productionCommit is the commit of the release app serves now, "" if none.
func (e *Engine) productionCommit(ctx context.Context, app *App) string {
	if app.CurrentRelease == 0 {
		return ""
	}
	cur, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return ""
	}
	return cur.Commit
}

// recordIncident notes a sign that a live release fails, for the delivery
// figures; a failure is logged.
func (e *Engine) recordIncident(ctx context.Context, app string, release int, kind string, at time.Time) {
	if err := e.cfg.Store.AddReleaseIncident(ctx, app, release, kind, at); err != nil {
		e.log.Warn("record an incident", "app", app, "release", release, "kind", kind, "err", err)
	}
}
