package engine

import (
	"context"
	"fmt"
)

// moveAll replaces, app by app, the containers that move selects with
// fresh ones started wherever the Runtime now starts them (health-gated,
// routed, then the old ones drained and stopped). It stops at the first
// app that fails to move; the apps moved so far stay moved.
func (e *Engine) moveAll(ctx context.Context, out *progress, move func(*Container) bool) error {
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if err := e.moveApp(ctx, a.Name, out, move); err != nil {
			return Wrapf(err, ErrorCode(err), "moving %s failed: %s", a.Name, ErrorMessage(err))
		}
	}
	return nil
}

// moveApp is moveAll for one app, under its lock.
func (e *Engine) moveApp(ctx context.Context, name string, out *progress, move func(*Container) bool) error {
	ctx, unlock, err := e.lockApp(ctx, name, out)
	if err != nil {
		return err
	}
	defer unlock()
	app, err := e.cfg.Store.FindApp(ctx, name)
	if err != nil || app.State == AppDestroying || app.CurrentRelease == 0 {
		return err
	}
	app.Health = app.Health.WithDefaults()
	rel, err := e.cfg.Store.FindRelease(ctx, name, app.CurrentRelease)
	if err != nil {
		return err
	}
	n, err := e.replaceWhere(ctx, app, rel, move, out)
	if n > 0 && err == nil {
		out.Step("Moved %d replica(s) of %s", n, name)
	}
	return err
}

// replaceWhere is replaceType for the containers that move selects, of
// any process type; it returns how many it replaced. The caller holds the
// app's lock.
func (e *Engine) replaceWhere(ctx context.Context, app *App, rel *Release, move func(*Container) bool, out *progress) (int, error) {
	cs, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return 0, stepError("listing the containers of "+app.Name, err)
	}
	lim, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return 0, err
	}
	slots := plan(app, rel, lim)
	keep, missing, stale := matchPlan(slots, rel.Number, cs, false)
	var still []*Container
	for _, c := range keep {
		if s, ok := slotOf(slots, rel.Number, c, false); ok && move(c) {
			missing, stale = append(missing, s), append(stale, c)
			continue
		}
		still = append(still, c)
	}
	started, err := e.startMissing(ctx, app, rel, missing, out)
	if err != nil {
		return 0, fmt.Errorf("start replacements: %w", err)
	}
	e.setRoute(ctx, app, append(still, started...))
	for _, c := range stale {
		e.stopDrained(ctx, app, c)
	}
	return len(started), nil
}
