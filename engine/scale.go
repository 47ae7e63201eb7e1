package engine

import (
	"context"
	"io"
	"maps"
	"sort"
)

// ScaleRequest changes how many containers of some process types run.
type ScaleRequest struct {
	App    string
	Change Scale
	Author string
	Output io.Writer
}

// Scale changes app's scale and makes the current release run accordingly:
// new web containers take traffic once healthy; removed ones are drained
// first. The scale is kept for later deploys and rollbacks.
func (e *Engine) Scale(ctx context.Context, req ScaleRequest) (app *App, err error) {
	if err := e.authorize(ctx, ActScale, req.App); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditScale, req.App, "", req.Change.String(), err) }()
	out := newProgress(NewCleanWriter(req.Output))
	ctx, unlock, err := e.lockApp(ctx, req.App, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err = e.appForChange(ctx, req.App)
	if err != nil {
		return nil, err
	}
	if app.CurrentRelease == 0 {
		return nil, Errorf(EINVALID, "app %s has no release yet: deploy it before scaling", app.Name)
	}
	if err := e.checkPreviewScale(ctx, app.Name, req.Change); err != nil {
		return nil, err
	}
	rel, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return nil, err
	}
	if err := validateScale(req.Change, rel, app.Scale); err != nil {
		return nil, err
	}
	app.Scale = mergeScale(app.Scale, req.Change)
	if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
		return nil, err
	}
	out.Step("Scaling %s to %s", app.Name, app.Scale)
	e.emit(ctx, Event{App: app.Name, Kind: EventScaled, Release: rel.Number, Actor: req.Author,
		Message: "scaled to " + app.Scale.String() + " by " + req.Author})
	if err := e.converge(ctx, app, rel, out); err != nil {
		e.reportFailure(out, "scale", app.Name, err)
		return app, err
	}
	return app, nil
}

func mergeScale(cur, change Scale) Scale {
	next := maps.Clone(cur)
	if next == nil {
		next = Scale{}
	}
	maps.Copy(next, change)
	return next
}

// converge makes the containers of app match its current release, scale
// and limits: it keeps what runs as planned, starts what is missing (web
// ones join the route once healthy), and drains and stops everything else.
// When a start fails, the running containers of the release stay. The
// caller holds the app's lock.
func (e *Engine) converge(ctx context.Context, app *App, rel *Release, out *progress) error {
	return e.convergeWith(ctx, app, rel, out, false)
}

// convergeWith is converge; with keepLimits, a container that differs from
// its slot only in its limits fills the slot.
func (e *Engine) convergeWith(ctx context.Context, app *App, rel *Release, out *progress, keepLimits bool) error {
	cs, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return stepError("listing the containers of "+app.Name, err)
	}
	if rel == nil { // nothing should run
		rel = &Release{}
	}
	lim, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return err
	}
	keep, missing, stale := matchPlan(plan(app, rel, lim), rel.Number, cs, keepLimits)
	started, err := e.startMissing(ctx, app, rel, missing, out)
	if err != nil { // the containers the new ones were to replace go on
		keep, stale = holdRunning(keep, stale, rel.Number)
	}
	keep = append(keep, started...)
	e.setRoute(ctx, app, keep)
	for _, c := range stale {
		e.stopDrained(ctx, app, c)
	}
	return err
}

// startMissing starts the slots that have no container and waits for
// them; the ones that do not come up healthy are removed again.
func (e *Engine) startMissing(ctx context.Context, app *App, rel *Release, missing []slot, out *progress) ([]*Container, error) {
	if len(missing) == 0 {
		return nil, nil
	}
	out.Info("starting %s", describeSlots(missing))
	var started []*Container
	for _, s := range missing {
		c, err := e.startSlot(ctx, rel, s)
		if err != nil {
			e.removeAll(started)
			return nil, err
		}
		started = append(started, c)
	}
	if err := e.waitStarted(ctx, app, started, out); err != nil {
		e.removeAll(started)
		return nil, err
	}
	return e.inspectAll(ctx, started)
}

func (e *Engine) removeAll(cs []*Container) {
	ctx := context.Background()
	for _, c := range cs {
		if err := e.stopContainer(ctx, c.ID, e.cfg.StopGrace); err != nil {
			e.log.Error("remove container", "container", c.Name, "err", err)
		}
	}
}

// matchPlan sorts containers into those that fill a slot of the plan
// (running or restarting, of the current release, with the slot's limits
// unless keepLimits), the slots no container fills, and the containers
// that should not exist.
func matchPlan(slots []slot, release int, cs []*Container, keepLimits bool) (keep []*Container, missing []slot, stale []*Container) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Replica < cs[j].Replica })
	filled := map[string]bool{}
	for _, c := range cs {
		s, ok := slotOf(slots, release, c, keepLimits)
		if ok && !filled[s.key()] && (c.Running || c.State == "restarting") {
			filled[s.key()] = true
			keep = append(keep, c)
		} else {
			stale = append(stale, c)
		}
	}
	for _, s := range slots {
		if !filled[s.key()] {
			missing = append(missing, s)
		}
	}
	return keep, missing, stale
}

// holdRunning moves the running containers of release from stale to
// keep: after a failed start they go on serving.
func holdRunning(keep, stale []*Container, release int) ([]*Container, []*Container) {
	var rest []*Container
	for _, c := range stale {
		if c.Release == release && c.Running {
			keep = append(keep, c)
		} else {
			rest = append(rest, c)
		}
	}
	return keep, rest
}

// slotOf finds the slot c fills, if it belongs to the plan: same release,
// process type, replica and (unless anyLimits) limits.
func slotOf(slots []slot, release int, c *Container, anyLimits bool) (slot, bool) {
	if c.Release != release {
		return slot{}, false
	}
	for _, s := range slots {
		if s.process.Type == c.Process && s.replica == c.Replica && (anyLimits || s.limits == c.Limits) {
			return s, true
		}
	}
	return slot{}, false
}
