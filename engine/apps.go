package engine

import (
	"context"
	"fmt"
	"time"
)

// CreateApp creates an app that answers 503 until its first deploy.
func (e *Engine) CreateApp(ctx context.Context, name, author string) (*App, error) {
	if err := e.authorize(ctx, ActCreateApp, ""); err != nil {
		return nil, err
	}
	if err := ValidateNewAppName(name, e.cfg.Domain); err != nil {
		return nil, err
	}
	if err := e.limitChange(ctx, e.limits.apps, "new apps"); err != nil {
		return nil, err
	}
	app := &App{Name: name, DeployBranch: DefaultDeployBranch, State: AppActive, CreatedBy: actor(ctx, author), Edge: DefaultEdge()}
	if err := e.cfg.Store.CreateApp(ctx, app); err != nil {
		return nil, err
	}
	if err := e.deleteWebhooks(ctx, name); err != nil { // left by a namesake destroyed before destroys deleted them
		e.log.Error("forget old webhooks", "app", name, "err", err)
	}
	if err := e.grantCreator(ctx, name); err != nil {
		e.log.Error("grant the creator access", "app", name, "err", err)
	}
	e.audit(ctx, AuditAppCreate, name, "", "", nil)
	e.setRoute(ctx, app, nil)
	e.manageCerts(ctx, e.AppHost(name))
	e.log.Info("app created", "app", name, "by", author)
	return app, nil
}

// PreparePush checks that a push to app may proceed, creating the app if
// this is its first push.
func (e *Engine) PreparePush(ctx context.Context, name, author string) error {
	if p, err := e.cfg.Store.FindPreview(ctx, name); err == nil {
		return Errorf(EINVALID, "%s is the preview of branch %q of %s: push that branch to %s instead",
			name, clipText(p.Branch, 80), p.App, p.App)
	}
	if err := ValidateAppName(name, e.cfg.Domain); err != nil {
		return err
	}
	_, err := e.cfg.Store.FindApp(ctx, name)
	if ErrorCode(err) == ENOTFOUND {
		if err := ValidateNewAppName(name, e.cfg.Domain); err != nil {
			return err
		}
		_, err = e.CreateApp(ctx, name, author)
		if ErrorCode(err) != ECONFLICT { // else: created by a concurrent first push
			return err
		}
	}
	if err := e.authorize(ctx, ActDeploy, name); err != nil {
		return err
	}
	_, err = e.appForChange(ctx, name)
	return err
}

// FindApp returns one app, with PreviewOf set when it is a preview.
func (e *Engine) FindApp(ctx context.Context, name string) (*App, error) {
	if err := e.authorize(ctx, ActReadApp, name); err != nil {
		return nil, err
	}
	app, err := e.cfg.Store.FindApp(ctx, name)
	if err != nil {
		return nil, err
	}
	p, err := e.cfg.Store.FindPreview(ctx, name)
	switch {
	case err == nil:
		app.PreviewOf = p.App
	case ErrorCode(err) != ENOTFOUND:
		return nil, err
	}
	return app, nil
}

// ListApps returns the apps the caller may see, ordered by name, previews
// among them (with PreviewOf set).
func (e *Engine) ListApps(ctx context.Context) ([]*App, error) {
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.markPreviews(ctx, apps); err != nil {
		return nil, err
	}
	id, ok := IdentityFrom(ctx)
	if e.cfg.Access == nil || !ok {
		return apps, nil
	}
	return e.cfg.Access.VisibleApps(ctx, id, apps)
}

// markPreviews sets PreviewOf of the apps that are previews.
func (e *Engine) markPreviews(ctx context.Context, apps []*App) error {
	ps, err := e.cfg.Store.ListPreviews(ctx, "")
	if err != nil {
		return err
	}
	parent := make(map[string]string, len(ps))
	for _, p := range ps {
		parent[p.Name] = p.App
	}
	for _, a := range apps {
		a.PreviewOf = parent[a.Name]
	}
	return nil
}

// ListReleases returns up to limit releases of app, newest first.
func (e *Engine) ListReleases(ctx context.Context, app string, limit int) ([]*Release, error) {
	if _, err := e.FindApp(ctx, app); err != nil {
		return nil, err
	}
	return e.cfg.Store.ListReleases(ctx, app, limit)
}

// SetHealthCheck changes how app's next releases are checked and drained.
// Zero fields keep their current value.
func (e *Engine) SetHealthCheck(ctx context.Context, name string, hc HealthCheck) (*App, error) {
	if err := hc.Validate(); err != nil {
		return nil, err
	}
	return e.updateApp(ctx, name, func(app *App) { mergeHealth(&app.Health, hc) })
}

// updateApp changes an app's settings under its lock.
func (e *Engine) updateApp(ctx context.Context, name string, change func(*App)) (app *App, err error) {
	if err := e.authorize(ctx, ActSettings, name); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditSettings, name, "", "", err) }()
	ctx, unlock, err := e.lockApp(ctx, name, newProgress(nil))
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err = e.appForChange(ctx, name)
	if err != nil {
		return nil, err
	}
	change(app)
	if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

func mergeHealth(dst *HealthCheck, src HealthCheck) {
	if src.Path != "" {
		dst.Path = src.Path
	}
	if src.Timeout != 0 {
		dst.Timeout = src.Timeout
	}
	if src.DrainTimeout != 0 {
		dst.DrainTimeout = src.DrainTimeout
	}
	if src.ReleaseTimeout != 0 {
		dst.ReleaseTimeout = src.ReleaseTimeout
	}
}

// SetDeployBranch changes the branch pushes to app must target.
func (e *Engine) SetDeployBranch(ctx context.Context, name, branch string) (*App, error) {
	if err := ValidateBranchName(branch); err != nil {
		return nil, err
	}
	return e.updateApp(ctx, name, func(app *App) { app.DeployBranch = branch })
}

// Destroy removes app and everything it owns: containers, route, network,
// images, repository, releases and config. A change in progress on the app
// is cancelled first. If a step fails the app stays "destroying", refuses
// changes, and Destroy can be run again.
func (e *Engine) Destroy(ctx context.Context, name string) (err error) {
	if err := e.authorize(ctx, ActDestroyApp, name); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAppDestroy, name, "", "", err) }()
	app, err := e.cfg.Store.FindApp(ctx, name)
	if err != nil {
		return err
	}
	if err := e.checkAddonsBeforeDestroy(ctx, name); err != nil {
		return err
	}
	app.State = AppDestroying
	if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
		return err
	}
	e.locks.cancelHolder(name)
	ctx, unlock, err := e.locks.lock(ctx, name)
	if err != nil {
		return Errorf(EUNAVAILABLE, "gave up waiting for the change in progress on %s to stop", name)
	}
	defer unlock()
	if err := e.destroyPreviewsOf(ctx, name, "app "+name+" was destroyed"); err != nil {
		return err
	}
	return e.destroyLocked(ctx, name)
}

func (e *Engine) destroyLocked(ctx context.Context, name string) error {
	hosts, err := e.hosts(ctx, name)
	if err != nil {
		return err
	}
	e.cfg.Router.RemoveRoute(name)
	e.unmanageCerts(ctx, hosts...)
	if err := e.leaveAddons(ctx, name); err != nil {
		return err
	}
	if err := e.removeContainers(ctx, name); err != nil {
		e.reportFailure(nil, "destroy", name, err)
		return err
	}
	if err := e.clearCache(ctx, name); err != nil {
		return err
	}
	if e.cfg.Repos != nil {
		if err := e.cfg.Repos.RemoveRepository(ctx, name); err != nil {
			return err
		}
	}
	if err := e.deleteWebhooks(ctx, name); err != nil {
		return err
	}
	if err := e.cfg.Store.DeleteApp(ctx, name); err != nil {
		return err
	}
	// The event goes first: it also appends a line to the app's log stream
	// (its followers see it before their stream ends), and a line appended
	// after RemoveApp would start a new history that nobody removes.
	e.emit(ctx, Event{App: name, Kind: EventDestroyed, Message: "app " + name + " was destroyed"})
	if e.cfg.Logs != nil {
		if err := e.cfg.Logs.RemoveApp(name); err != nil {
			e.log.Error("remove log history", "app", name, "err", err)
		}
	}
	e.log.Info("app destroyed", "app", name)
	return nil
}

// removeContainers stops and removes every container of app, then its
// network and images; the error says which step failed.
func (e *Engine) removeContainers(ctx context.Context, app string) error {
	cs, err := e.cfg.Runtime.Containers(ctx, app)
	if err != nil {
		return stepError("listing the containers of "+app, err)
	}
	for _, c := range cs {
		if err := e.stopContainer(ctx, c.ID, 5*time.Second); err != nil {
			return stepError(fmt.Sprintf("stopping %s.%d", c.Process, c.Replica), err)
		}
	}
	return stepError("removing the network and images of "+app, e.removeAppRuntime(ctx, app))
}
