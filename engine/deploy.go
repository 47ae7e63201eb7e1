package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// deployRelease runs rel's release phase, starts its containers as the app
// is scaled, waits until they are healthy, makes rel the current release,
// switches the route to its web containers, and drains and stops what ran
// before. The caller holds app's lock. Until the switch nothing changes for
// traffic; if the deploy fails, rel is marked failed and its containers removed.
func (e *Engine) deployRelease(ctx context.Context, app *App, rel *Release, out *progress) error {
	before, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return e.abort(rel, nil, stepError("listing the containers of "+app.Name, err), out)
	}
	if err := e.runReleasePhase(ctx, app, rel, out); err != nil {
		return e.abort(rel, nil, err, out)
	}
	started, err := e.startProcesses(ctx, app, rel, out)
	if err != nil {
		return e.abort(rel, started, err, out)
	}
	// The release is now the one that should serve: from here on we finish
	// the switch even if the caller goes away.
	ctx = context.WithoutCancel(ctx)
	if err := e.cfg.Store.ActivateRelease(ctx, app.Name, rel.Number, e.now()); err != nil {
		return e.abort(rel, started, err, out)
	}
	e.setRoute(ctx, app, started)
	out.Step("Released v%d: %s", rel.Number, e.AppURL(app.Name))
	e.hintUnscaled(app, rel, out)
	e.retire(ctx, app, before, out)
	e.pruneImages(ctx, app.Name)
	e.log.Info("release active", "app", app.Name, "release", rel.Number, "kind", rel.Kind)
	return nil
}

// setRoute points app's hosts at the running web containers among cs,
// with the app's edge settings.
func (e *Engine) setRoute(ctx context.Context, app *App, cs []*Container) {
	var web []*Container
	for _, c := range cs {
		if c.Process == ProcessWeb {
			web = append(web, c)
		}
	}
	hosts, err := e.hosts(ctx, app.Name)
	if err != nil {
		e.log.Error("list app hosts; routing its own host only", "app", app.Name, "err", err)
	}
	e.cfg.Router.SetRoute(Route{App: app.Name, Hosts: hosts, Backends: backends(web), Edge: app.Edge})
}

// hintUnscaled tells the user about process types that do not run.
func (e *Engine) hintUnscaled(app *App, rel *Release, out *progress) {
	var idle []string
	for _, typ := range processTypes(rel.processes()) {
		if app.Scale.count(typ) == 0 {
			idle = append(idle, typ)
		}
	}
	if len(idle) > 0 {
		out.Info("Not running (scale 0): %s. Start with `quayside ps scale %s %s=1`.", strings.Join(idle, ", "), app.Name, idle[0])
	}
}

// retire drains each container that ran before the switch and stops it.
func (e *Engine) retire(ctx context.Context, app *App, old []*Container, out *progress) {
	if len(old) == 0 {
		return
	}
	out.Step("Draining and stopping the previous release")
	for _, c := range old {
		e.stopDrained(ctx, app, c)
	}
}

// stopDrained waits for c's in-flight requests (up to the drain timeout) and stops it.
func (e *Engine) stopDrained(ctx context.Context, app *App, c *Container) {
	if c.Addr != "" {
		dctx, cancel := context.WithTimeout(ctx, app.Health.WithDefaults().DrainTimeout)
		if err := e.cfg.Router.Drain(dctx, c.Addr); err != nil {
			e.log.Warn("drain deadline passed; stopping anyway", "app", app.Name, "container", c.Name)
		}
		cancel()
	}
	if err := e.stopContainer(ctx, c.ID, e.cfg.StopGrace); err != nil {
		e.log.Error("stop container", "app", app.Name, "container", c.Name, "err", err)
	}
}

// abort ends a failed deploy: it writes the technical detail of cause to
// out (the release output), keeps the last lines the first of cs printed
// in the release's error, removes cs, and marks rel failed. It returns the
// error for the user.
func (e *Engine) abort(rel *Release, cs []*Container, cause error, out *progress) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msg := ErrorMessage(cause)
	level := slog.LevelWarn
	if code := ErrorCode(cause); code == EINTERNAL || code == EUNAVAILABLE {
		level = slog.LevelError
	}
	e.log.Log(ctx, level, "deploy failed", "app", rel.App, "release", rel.Number, "err", msg, "detail", ErrorDetail(cause))
	writeDetail(out, cause)
	if c := blame(cs, cause); c != nil {
		if logs, err := e.cfg.Runtime.Logs(ctx, c.ID, 20); err == nil && logs != "" {
			msg += "\nLast lines " + c.Process + " printed:\n" + logs
		}
	}
	for _, c := range cs {
		if err := e.stopContainer(ctx, c.ID, e.cfg.StopGrace); err != nil {
			e.log.Error("remove failed container", "app", rel.App, "container", c.Name, "err", err)
		}
	}
	e.failRelease(rel, msg)
	code := ErrorCode(cause)
	if code == EINTERNAL || code == EDEPLOYFAILED {
		code = EDEPLOYFAILED
	}
	return &Error{Code: code, Message: fmt.Sprintf("v%d failed: %s", rel.Number, msg), Err: cause}
}

// blame picks the container whose output explains cause: the one a
// containerError names, else the first.
func blame(cs []*Container, cause error) *Container {
	if ce, ok := cause.(*containerError); ok {
		return ce.c
	}
	if len(cs) > 0 {
		return cs[0]
	}
	return nil
}

// containerError is a failure of one container.
type containerError struct {
	c   *Container
	err error
}

func (e *containerError) Error() string { return e.err.Error() }
func (e *containerError) Unwrap() error { return e.err }

// failRelease records that rel failed, whatever the caller's context.
func (e *Engine) failRelease(rel *Release, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rel.Status, rel.Error, rel.FinishedAt = ReleaseFailed, CleanText(reason), e.now()
	if err := e.cfg.Store.UpdateRelease(ctx, rel); err != nil {
		e.log.Error("record failed release", "app", rel.App, "release", rel.Number, "err", err)
	}
}
