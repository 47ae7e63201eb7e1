package engine

import (
	"context"
	"time"
)

// interruptedReason is recorded on releases a daemon stop cut short.
const interruptedReason = "interrupted: the Quayside daemon stopped during this deploy; push again"

// Reconcile makes what runs match the store, as after a crash: unfinished
// deploys are marked failed, apps left half destroyed are destroyed,
// containers that belong to no app are removed, and every app's current
// release runs, is routed, and is the only thing of that app that runs.
func (e *Engine) Reconcile(ctx context.Context) error {
	failed, err := e.cfg.Store.FailUnfinishedReleases(ctx, interruptedReason, e.now())
	if err != nil {
		return err
	}
	for _, r := range failed {
		e.log.Warn("deploy interrupted by a restart", "app", r.App, "release", r.Number)
	}
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	if err := e.removeOrphans(ctx, apps); err != nil {
		return err
	}
	for _, app := range apps {
		if err := e.syncApp(ctx, app.Name); err != nil {
			e.log.Error("reconcile app", "app", app.Name, "err", err)
		}
	}
	hosts, err := e.AllHosts(ctx)
	if err != nil {
		return err
	}
	e.manageCerts(ctx, hosts...)
	return nil
}

// removeOrphans stops containers of apps the store does not know.
func (e *Engine) removeOrphans(ctx context.Context, apps []*App) error {
	known := make(map[string]bool, len(apps))
	for _, a := range apps {
		known[a.Name] = true
	}
	all, err := e.cfg.Runtime.Containers(ctx, "")
	if err != nil {
		return err
	}
	for _, c := range all {
		if !known[c.App] {
			e.log.Warn("removing container of unknown app", "app", c.App, "container", c.Name)
			if err := e.stopContainer(ctx, c.ID, e.cfg.StopGrace); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncApp brings one app in line with the store, holding its lock, as
// Reconcile does: containers that differ from the plan only in their
// limits are kept (the periodic sync replaces them once the daemon serves).
func (e *Engine) syncApp(ctx context.Context, name string) error {
	ctx, unlock, err := e.locks.lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	return e.syncAppLocked(ctx, name, true)
}

// syncAppLocked brings one app in line with the store for a caller that
// holds the app's lock; keepLimits as for converge.
func (e *Engine) syncAppLocked(ctx context.Context, name string, keepLimits bool) error {
	app, err := e.cfg.Store.FindApp(ctx, name)
	if ErrorCode(err) == ENOTFOUND {
		e.cfg.Router.RemoveRoute(name)
		return nil
	} else if err != nil {
		return err
	}
	if app.State == AppDestroying {
		return e.destroyLocked(ctx, name)
	}
	app.Health = app.Health.WithDefaults()
	return e.syncContainers(ctx, app, keepLimits)
}

// syncContainers makes the app's containers match its current release and
// scale (see converge).
func (e *Engine) syncContainers(ctx context.Context, app *App, keepLimits bool) error {
	var rel *Release
	if app.CurrentRelease != 0 {
		var err error
		if rel, err = e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease); err != nil {
			return err
		}
	}
	return e.convergeWith(ctx, app, rel, newProgress(nil), keepLimits)
}

// backends returns the addresses of the running containers among cs.
func backends(cs []*Container) []string {
	var addrs []string
	for _, c := range cs {
		if c.Running && c.Addr != "" {
			addrs = append(addrs, c.Addr)
		}
	}
	return addrs
}

// watchEvents re-syncs an app whenever one of its containers starts or dies,
// so routes follow restarts (a restarted container may get a new port).
func (e *Engine) watchEvents(ctx context.Context) {
	for ev := range e.cfg.Runtime.Events(ctx) {
		if ev.Container.App != "" {
			if e.collector != nil {
				e.collector.onEvent(ctx, ev)
			}
			e.observe(ctx, ev)
			e.requestSync(ctx, ev.Container.App)
		}
	}
}

// syncPeriodically re-syncs every app every SyncEvery, one app after
// another (see syncEach).
func (e *Engine) syncPeriodically(ctx context.Context) {
	t := time.NewTicker(e.cfg.SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		apps, err := e.cfg.Store.ListApps(ctx)
		if err != nil {
			e.log.Error("periodic sync", "err", err)
			continue
		}
		if err := e.removeOrphans(ctx, apps); err != nil {
			e.log.Error("periodic sync", "err", err)
		}
		e.syncEach(ctx, apps)
	}
}

// syncEach syncs apps one after another, skipping those whose lock is
// held: a change in progress syncs its app when it ends. Starting a sync
// per app at once, as before, made every SyncEvery a burst of hundreds of
// Docker listings and database connections on a server with hundreds of
// apps, which slowed the pushes that met it.
func (e *Engine) syncEach(ctx context.Context, apps []*App) {
	for _, a := range apps {
		if ctx.Err() != nil {
			return
		}
		if e.locks.busy(a.Name) {
			continue
		}
		lctx, unlock, err := e.locks.lock(ctx, a.Name)
		if err != nil {
			return
		}
		if err := e.syncAppLocked(lctx, a.Name, false); err != nil && ctx.Err() == nil {
			e.log.Error("sync app", "app", a.Name, "err", err)
		}
		unlock()
	}
}

// requestSync schedules a sync of app unless one is already waiting.
func (e *Engine) requestSync(ctx context.Context, app string) {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if e.syncPending[app] {
		return
	}
	e.syncPending[app] = true
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		lctx, unlock, err := e.locks.lock(ctx, app)
		e.syncMu.Lock()
		delete(e.syncPending, app) // events from now on need another sync
		e.syncMu.Unlock()
		if err != nil {
			return
		}
		defer unlock()
		if err := e.syncAppLocked(lctx, app, false); err != nil && ctx.Err() == nil {
			e.log.Error("sync app", "app", app, "err", err)
		}
	}()
}
