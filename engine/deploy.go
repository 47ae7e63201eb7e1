package engine

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// deployRelease starts rel, waits until it is healthy, makes it the current
// release, switches the route to it, and drains and stops what ran before.
// The caller holds app's lock. Until the switch nothing changes for
// traffic; if the deploy fails, rel is marked failed and its container removed.
func (e *Engine) deployRelease(ctx context.Context, app *App, rel *Release, out *progress) error {
	before, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return e.abort(rel, nil, err)
	}
	c, err := e.startRelease(ctx, app, rel, out)
	if err != nil {
		return e.abort(rel, c, err)
	}
	if err := e.waitHealthy(ctx, c, app.Health, out); err != nil {
		return e.abort(rel, c, err)
	}
	// The release is now the one that should serve: from here on we finish
	// the switch even if the caller goes away.
	ctx = context.WithoutCancel(ctx)
	if err := e.cfg.Store.ActivateRelease(ctx, app.Name, rel.Number, e.now()); err != nil {
		return e.abort(rel, c, err)
	}
	e.cfg.Router.SetRoute(Route{App: app.Name, Hosts: e.Hosts(app.Name), Backends: []string{c.Addr}})
	out.Step("Released v%d: %s", rel.Number, e.AppURL(app.Name))
	e.retire(ctx, app, before, out)
	e.log.Info("release active", "app", app.Name, "release", rel.Number, "kind", rel.Kind)
	return nil
}

// startRelease starts the web container of rel with its config.
func (e *Engine) startRelease(ctx context.Context, app *App, rel *Release, out *progress) (*Container, error) {
	spec, err := e.containerSpec(ctx, rel, "web", 1)
	if err != nil {
		return nil, err
	}
	out.Step("Starting v%d (PORT=%d)", rel.Number, spec.Port)
	c, err := e.cfg.Runtime.Start(ctx, spec)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(EDEPLOYFAILED, "the image of v%d is gone from this server: redeploy with git push", rel.Number)
		}
		return nil, err
	}
	return c, nil
}

// containerSpec is how one container of rel runs.
func (e *Engine) containerSpec(ctx context.Context, rel *Release, process string, replica int) (ContainerSpec, error) {
	cv, err := e.cfg.Store.FindConfigVersion(ctx, rel.App, rel.ConfigVersion)
	if err != nil {
		return ContainerSpec{}, err
	}
	port := rel.Port
	if port == 0 {
		port = e.cfg.AppPort
	}
	env := make(map[string]string, len(cv.Vars)+1)
	for k, v := range cv.Vars {
		env[k] = v
	}
	env["PORT"] = strconv.Itoa(port)
	return ContainerSpec{
		App: rel.App, Release: rel.Number, Process: process, Replica: replica,
		Image: rel.Image, Env: env, Port: port,
	}, nil
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
	if err := e.cfg.Runtime.Stop(ctx, c.ID, e.cfg.StopGrace); err != nil {
		e.log.Error("stop container", "app", app.Name, "container", c.Name, "err", err)
	}
}

// abort ends a failed deploy: it keeps the last lines c printed in the
// release's error, removes c, and marks rel failed. It returns the error for
// the user.
func (e *Engine) abort(rel *Release, c *Container, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msg := ErrorMessage(cause)
	if ErrorCode(cause) == EINTERNAL {
		e.log.Error("deploy failed", "app", rel.App, "release", rel.Number, "err", cause)
	}
	if c != nil {
		if logs, err := e.cfg.Runtime.Logs(ctx, c.ID, 20); err == nil && logs != "" {
			msg += "\nLast lines the app printed:\n" + logs
		}
		if err := e.cfg.Runtime.Stop(ctx, c.ID, e.cfg.StopGrace); err != nil {
			e.log.Error("remove failed container", "app", rel.App, "container", c.Name, "err", err)
		}
	}
	e.failRelease(rel, msg)
	code := ErrorCode(cause)
	if code == EINTERNAL || code == EDEPLOYFAILED {
		code = EDEPLOYFAILED
	}
	return &Error{Code: code, Message: fmt.Sprintf("v%d failed: %s", rel.Number, msg)}
}

// failRelease records that rel failed, whatever the caller's context.
func (e *Engine) failRelease(rel *Release, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rel.Status, rel.Error, rel.FinishedAt = ReleaseFailed, reason, e.now()
	if err := e.cfg.Store.UpdateRelease(ctx, rel); err != nil {
		e.log.Error("record failed release", "app", rel.App, "release", rel.Number, "err", err)
	}
}
