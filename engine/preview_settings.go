package engine

import (
	"context"
	"fmt"
	"time"
)

// PreviewsRequest enables (or re-configures) previews of an app. Zero TTL
// and Max take the defaults; AuthUser and AuthHash (a password hash, never
// the password) make every preview require basic auth.
type PreviewsRequest struct {
	App      string
	TTL      time.Duration
	Max      int
	AuthUser string
	AuthHash string
}

// validate fills in the defaults and checks the bounds.
func (r *PreviewsRequest) validate() error {
	if r.TTL == 0 {
		r.TTL = DefaultPreviewTTL
	}
	if r.Max == 0 {
		r.Max = DefaultPreviews
	}
	switch {
	case r.TTL < time.Second || r.TTL > MaxPreviewTTL:
		return FieldError("ttl", "the preview TTL must be between 1s and %dd, for example --ttl 7d", int(MaxPreviewTTL.Hours()/24))
	case r.Max < 1 || r.Max > MaxPreviews:
		return FieldError("max", "the maximum number of previews must be between 1 and %d", MaxPreviews)
	case r.AuthUser != "" && r.AuthHash == "":
		return FieldError("password", "basic auth for previews needs a password")
	}
	if r.AuthUser != "" {
		return ValidateBasicAuthUser(r.AuthUser)
	}
	return nil
}

// EnablePreviews turns previews of an app on, or changes their settings;
// the basic-auth setting applies to existing previews at once. A preview
// cannot have previews of its own.
func (e *Engine) EnablePreviews(ctx context.Context, req PreviewsRequest) (s *PreviewSettings, err error) {
	if err := e.authorize(ctx, ActSettings, req.App); err != nil {
		return nil, err
	}
	defer func() {
		e.audit(ctx, AuditPreviewsEnable, req.App, "", fmt.Sprintf("ttl %s, max %d, auth %t", req.TTL, req.Max, req.AuthUser != ""), err)
	}()
	if err := req.validate(); err != nil {
		return nil, err
	}
	if _, err := e.parentApp(ctx, req.App); err != nil {
		return nil, err
	}
	s = &PreviewSettings{App: req.App, TTL: req.TTL, Max: req.Max, AuthUser: req.AuthUser, AuthHash: req.AuthHash}
	if err := e.cfg.Store.SetPreviewSettings(ctx, s); err != nil {
		return nil, err
	}
	e.applyPreviewAuth(ctx, s)
	return s, nil
}

// parentApp returns app if it may have previews: it exists, may be
// changed and is not a preview itself.
func (e *Engine) parentApp(ctx context.Context, name string) (*App, error) {
	app, err := e.appForChange(ctx, name)
	if err != nil {
		return nil, err
	}
	if p, err := e.cfg.Store.FindPreview(ctx, name); err == nil {
		return nil, Errorf(EINVALID, "%s is a preview of %s: previews are set up on %s", name, p.App, p.App)
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	return app, nil
}

// applyPreviewAuth gives every existing preview of s.App its basic-auth setting.
func (e *Engine) applyPreviewAuth(ctx context.Context, s *PreviewSettings) {
	ps, err := e.cfg.Store.ListPreviews(ctx, s.App)
	if err != nil {
		e.log.Error("list previews", "app", s.App, "err", err)
		return
	}
	for _, p := range ps {
		err := e.lockedApp(ctx, p.Name, func(ctx context.Context, app *App) error {
			if app == nil {
				return nil
			}
			app.Edge.BasicAuthUser, app.Edge.BasicAuthHash = s.AuthUser, s.AuthHash
			if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
				return err
			}
			return e.refreshRoute(ctx, app)
		})
		if err != nil {
			e.log.Error("apply preview basic auth", "preview", p.Name, "err", err)
		}
	}
}

// DisablePreviews turns previews of app off and destroys every preview it has.
func (e *Engine) DisablePreviews(ctx context.Context, name string) (err error) {
	if err := e.authorize(ctx, ActSettings, name); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditPreviewsDisable, name, "", "", err) }()
	if _, err := e.cfg.Store.FindApp(ctx, name); err != nil {
		return err
	}
	if err := e.cfg.Store.DeletePreviewSettings(ctx, name); err != nil {
		return err
	}
	return e.destroyPreviewsOf(ctx, name, "previews were disabled")
}

// destroyPreviewsOf destroys every preview of app.
func (e *Engine) destroyPreviewsOf(ctx context.Context, app, why string) error {
	ps, err := e.cfg.Store.ListPreviews(ctx, app)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if err := e.destroyPreview(ctx, p, why); err != nil {
			return err
		}
	}
	return nil
}

// PreviewSettings returns app's preview settings, ENOTFOUND when off.
func (e *Engine) PreviewSettings(ctx context.Context, app string) (*PreviewSettings, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	return e.cfg.Store.PreviewSettings(ctx, app)
}

// ListPreviews returns the previews of app, or of every app the caller may
// see when app is "", the least recently pushed first, with their URL and
// expiry.
func (e *Engine) ListPreviews(ctx context.Context, app string) ([]*Preview, error) {
	if app != "" {
		if err := e.authorize(ctx, ActReadApp, app); err != nil {
			return nil, err
		}
	}
	ps, err := e.cfg.Store.ListPreviews(ctx, app)
	if err != nil {
		return nil, err
	}
	if app == "" {
		if ps, err = e.visiblePreviews(ctx, ps); err != nil {
			return nil, err
		}
	}
	ttls := map[string]time.Duration{}
	for _, p := range ps {
		if _, ok := ttls[p.App]; !ok {
			ttls[p.App] = e.previewTTL(ctx, p.App)
		}
		e.describePreview(p, ttls[p.App])
	}
	return ps, nil
}

// visiblePreviews keeps the previews of ps the caller may see.
func (e *Engine) visiblePreviews(ctx context.Context, ps []*Preview) ([]*Preview, error) {
	id, ok := IdentityFrom(ctx)
	if e.cfg.Access == nil || !ok {
		return ps, nil
	}
	apps := make([]*App, len(ps))
	for i, p := range ps {
		apps[i] = &App{Name: p.Name}
	}
	visible, err := e.cfg.Access.VisibleApps(ctx, id, apps)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range visible {
		seen[a.Name] = true
	}
	out := []*Preview{}
	for _, p := range ps {
		if seen[p.Name] {
			out = append(out, p)
		}
	}
	return out, nil
}

// previewTTL is app's preview TTL; previews of an app whose previews were
// turned off have none left to live.
func (e *Engine) previewTTL(ctx context.Context, app string) time.Duration {
	s, err := e.cfg.Store.PreviewSettings(ctx, app)
	if err != nil {
		return 0
	}
	return s.TTL
}

// describePreview fills in p's URL and expiry.
func (e *Engine) describePreview(p *Preview, ttl time.Duration) {
	p.URL = e.AppURL(p.Name)
	p.ExpiresAt = p.PushedAt.Add(ttl)
}

// DestroyPreview destroys the preview of app's branch: whoever may deploy
// app may do it.
func (e *Engine) DestroyPreview(ctx context.Context, app, branch string) (err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return err
	}
	p, err := e.cfg.Store.FindPreviewOf(ctx, app, branch)
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(ENOTFOUND, "app %s has no preview of branch %q: see `quayside previews list %s`", app, clipText(branch, 80), app)
	}
	if err != nil {
		return err
	}
	return e.destroyPreview(ctx, p, "destroyed by "+actor(ctx, "the server"))
}

// destroyPreview removes everything of preview p as an app destroy does,
// and records why on the parent app.
func (e *Engine) destroyPreview(ctx context.Context, p *Preview, why string) (err error) {
	defer func() {
		e.audit(ctx, AuditPreviewDestroy, p.App, p.Name, "branch "+clipText(p.Branch, 80)+": "+why, err)
	}()
	app, err := e.cfg.Store.FindApp(ctx, p.Name)
	if err != nil {
		return err
	}
	app.State = AppDestroying
	if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
		return err
	}
	e.locks.cancelHolder(p.Name)
	lctx, unlock, err := e.locks.lock(ctx, p.Name)
	if err != nil {
		return Errorf(EUNAVAILABLE, "gave up waiting for the change in progress on %s to stop", p.Name)
	}
	defer unlock()
	if err := e.destroyLocked(lctx, p.Name); err != nil {
		return err
	}
	e.emit(ctx, Event{App: p.App, Kind: EventPreviewDestroyed,
		Message: fmt.Sprintf("preview of branch %s (%s) was destroyed: %s", clipText(p.Branch, 80), p.Name, why)})
	return nil
}
