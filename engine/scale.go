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
	return app, e.converge(ctx, app, rel, out)
}

func mergeScale(cur, change Scale) Scale {
	next := maps.Clone(cur)
	if next == nil {
		next = Scale{}
	}
	maps.Copy(next, change)
	return next
}

// converge makes the containers of app match its current release and
// scale: it keeps what runs as planned, starts what is missing (web ones
// join the route once healthy), and drains and stops everything else. The
// caller holds the app's lock.
func (e *Engine) converge(ctx context.Context, app *App, rel *Release, out *progress) error {
	cs, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return err
	}
	if rel == nil { // nothing should run
		rel = &Release{}
	}
	keep, missing, stale := matchPlan(plan(app, rel), rel.Number, cs)
	started, err := e.startMissing(ctx, app, rel, missing, out)
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
// (running or restarting, of the current release), the slots no container
// fills, and the containers that should not exist.
func matchPlan(slots []slot, release int, cs []*Container) (keep []*Container, missing []slot, stale []*Container) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Replica < cs[j].Replica })
	filled := map[string]bool{}
	for _, c := range cs {
		s, ok := slotOf(slots, release, c)
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

// slotOf finds the slot c fills, if it belongs to the plan.
func slotOf(slots []slot, release int, c *Container) (slot, bool) {
	if c.Release != release {
		return slot{}, false
	}
	for _, s := range slots {
		if s.process.Type == c.Process && s.replica == c.Replica {
			return s, true
		}
	}
	return slot{}, false
}
