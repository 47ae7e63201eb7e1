package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
)

// RestartRequest asks for the containers of one process type to be
// replaced by fresh ones.
type RestartRequest struct {
	App     string
	Process string
	Author  string
	Output  io.Writer
}

// Restart replaces every container of one process type of the current
// release with a fresh one, with the same release, config and limits. New
// web containers take traffic once healthy and the old ones are drained
// first, so a restart of web drops no request; when a new container fails
// to start, the old ones go on. No release is made, except for a preview
// whose config, recomputed from its app's, changed (a key marked
// production-only since): then every process type is deployed again as a
// new release with that config, as Redeploy does. It needs ActDeploy;
// EINVALID for a type the release does not run.
func (e *Engine) Restart(ctx context.Context, req RestartRequest) (err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditRestart, req.App, req.Process, "", err) }()
	out := newProgress(NewCleanWriter(req.Output))
	ctx, unlock, err := e.lockApp(ctx, req.App, out)
	if err != nil {
		return err
	}
	defer unlock()
	app, err := e.appForChange(ctx, req.App)
	if err != nil {
		return err
	}
	rel, err := e.currentForChange(ctx, app, "restart")
	if err != nil {
		return err
	}
	if err := checkRestartType(app, rel, req.Process); err != nil {
		return err
	}
	if cfg, err := e.refreshPreviewConfig(ctx, app.Name, out); err != nil || cfg != 0 {
		if err != nil {
			return err
		}
		return e.restartWithConfig(ctx, app, rel, cfg, req)
	}
	out.Step("Restarting the %s containers of %s (v%d)", req.Process, app.Name, rel.Number)
	e.emit(ctx, Event{App: app.Name, Kind: EventRestartRequested, Release: rel.Number, Actor: req.Author,
		Message: req.Process + " restarted by " + req.Author})
	if err := e.replaceType(ctx, app, rel, req.Process, out); err != nil {
		e.reportFailure(out, "restart", app.Name, err)
		return err
	}
	return nil
}

// restartWithConfig is a restart of app whose config changed to version
// cfg: a new release of the current one's image with that config. The
// caller holds the app's lock.
func (e *Engine) restartWithConfig(ctx context.Context, app *App, cur *Release, cfg int, req RestartRequest) error {
	out, capt := e.recordingOutput(app.Name, req.Output)
	out.Step("Its config changed, so %s is deployed again with it rather than restarted", app.Name)
	rel, err := e.redeploy(ctx, app, &Release{
		Kind: KindDeploy, ConfigVersion: cfg, Author: req.Author,
		Description: fmt.Sprintf("Restart of v%d with the preview config recomputed", cur.Number),
	}, out)
	e.finishRelease(ctx, rel, capt, err)
	return err
}

// EventRestartRequested is the event of a restart someone asked for (a
// crashed container restarted by Docker is EventRestarted).
const EventRestartRequested = "restart.requested"

// checkRestartType refuses a type that rel does not run.
func checkRestartType(app *App, rel *Release, typ string) error {
	types := processTypes(rel.processes())
	if !slices.Contains(types, typ) {
		return FieldError("process", "v%d of %s has no process type %q: restart one of %v", rel.Number, app.Name, typ, types)
	}
	if app.Scale.count(typ) == 0 {
		return FieldError("process", "%s is scaled to 0, so nothing runs to restart: scale it up instead", typ)
	}
	return nil
}

// replaceType is converge, except that the containers of typ that fill
// their slots are replaced all the same. The caller holds the app's lock.
func (e *Engine) replaceType(ctx context.Context, app *App, rel *Release, typ string, out *progress) error {
	cs, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return stepError("listing the containers of "+app.Name, err)
	}
	lim, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return err
	}
	slots := plan(app, rel, lim)
	keep, missing, stale := matchPlan(slots, rel.Number, cs, false)
	var still []*Container
	for _, c := range keep {
		if s, ok := slotOf(slots, rel.Number, c, false); ok && c.Process == typ {
			missing, stale = append(missing, s), append(stale, c)
			continue
		}
		still = append(still, c)
	}
	started, err := e.startMissing(ctx, app, rel, missing, out)
	if err != nil {
		still, stale = holdRunning(still, stale, rel.Number)
	}
	still = append(still, started...)
	e.setRoute(ctx, app, still)
	for _, c := range stale {
		e.stopDrained(ctx, app, c)
	}
	return err
}
