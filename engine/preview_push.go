package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// pushPreview deploys req as the preview of its branch when req.App has
// previews and the branch is not its deploy branch; handled is false when
// the push is an ordinary one. The first push of a branch creates its
// preview; a failed first push leaves nothing behind.
func (e *Engine) pushPreview(ctx context.Context, req PushRequest) (rel *Release, handled bool, err error) {
	parent, s, branch, err := e.previewTarget(ctx, req)
	if parent == nil || err != nil {
		return nil, err != nil, err
	}
	out := newProgress(req.Output)
	if err := ValidatePreviewBranch(branch); err != nil {
		return nil, true, err
	}
	p, created, err := e.ensurePreview(ctx, parent, s, branch, out)
	if err != nil {
		return nil, true, err
	}
	if err := e.cfg.Store.TouchPreview(ctx, p.Name, p.Commit, e.now()); err != nil {
		return nil, true, err
	}
	if req.configVersion, err = e.scrubPreviewConfig(ctx, parent.Name, p.Name); err != nil {
		return nil, true, err
	}
	req.App = p.Name
	rel, err = e.pushApp(ctx, req, AuditPreviewPush, parent.Name)
	if err != nil {
		if created {
			e.dropFailedPreview(ctx, p)
		}
		return nil, true, err
	}
	if err := e.cfg.Store.TouchPreview(ctx, p.Name, req.NewCommit, e.now()); err != nil {
		e.log.Error("record preview push", "preview", p.Name, "err", err)
	}
	out.Step("Preview of branch %s: %s (expires %s after the last push)", clipText(branch, 80), e.AppURL(p.Name), formatTTL(s.TTL))
	return rel, true, nil
}

// previewTarget returns the parent app, its preview settings and the
// branch when req is a preview push; a nil app when it is not one. A push
// to a preview's own repository is refused.
func (e *Engine) previewTarget(ctx context.Context, req PushRequest) (*App, *PreviewSettings, string, error) {
	if p, err := e.cfg.Store.FindPreview(ctx, req.App); err == nil {
		return nil, nil, "", Errorf(EINVALID, "%s is the preview of branch %q of %s: push that branch to %s instead",
			req.App, clipText(p.Branch, 80), p.App, p.App)
	}
	branch, ok := strings.CutPrefix(req.Ref, "refs/heads/")
	if !ok || branch == "" {
		return nil, nil, "", nil
	}
	app, err := e.cfg.Store.FindApp(ctx, req.App)
	if err != nil || branch == app.DeployBranch {
		return nil, nil, "", nil // pushApp reports a missing app
	}
	s, err := e.cfg.Store.PreviewSettings(ctx, req.App)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, "", nil // without previews, today's refusal
	}
	if err != nil {
		return nil, nil, "", err
	}
	if app.State == AppDestroying {
		return nil, nil, "", Errorf(ECONFLICT, "app %s is being destroyed: nothing can be deployed to it", app.Name)
	}
	return app, s, branch, nil
}

// ensurePreview returns the preview of branch, creating it (and reporting
// created) when there is none and the app has room for one more.
func (e *Engine) ensurePreview(ctx context.Context, parent *App, s *PreviewSettings, branch string, out *progress) (*Preview, bool, error) {
	p, err := e.cfg.Store.FindPreviewOf(ctx, parent.Name, branch)
	if err == nil || ErrorCode(err) != ENOTFOUND {
		return p, false, err
	}
	// One creation at a time per parent app, so that Max holds.
	lctx, unlock, err := e.locks.lock(ctx, parent.Name+"#previews")
	if err != nil {
		return nil, false, Errorf(EUNAVAILABLE, "gave up waiting for another preview of %s to be created", parent.Name)
	}
	defer unlock()
	if p, err := e.cfg.Store.FindPreviewOf(lctx, parent.Name, branch); err == nil || ErrorCode(err) != ENOTFOUND {
		return p, false, err
	}
	ps, err := e.cfg.Store.ListPreviews(lctx, parent.Name)
	if err != nil {
		return nil, false, err
	}
	if len(ps) >= s.Max {
		return nil, false, e.tooManyPreviews(parent.Name, s, ps)
	}
	// A preview is a new app with a new host (and certificate): it counts
	// as one against the creator's hourly limit.
	if err := e.limitChange(ctx, e.limits.apps, "new apps and previews"); err != nil {
		return nil, false, err
	}
	out.Step("Creating a preview of %s for branch %s", parent.Name, clipText(branch, 80))
	p, err = e.createPreview(lctx, parent, s, branch)
	return p, err == nil, err
}

// tooManyPreviews is the refusal at s.Max, naming the oldest previews.
func (e *Engine) tooManyPreviews(app string, s *PreviewSettings, ps []*Preview) error {
	var b strings.Builder
	fmt.Fprintf(&b, "app %s has %d previews, its maximum: remove one before pushing a new branch. The least recently pushed:", app, len(ps))
	for i, p := range ps {
		if i == 3 {
			break
		}
		fmt.Fprintf(&b, "\n  %s (pushed %s ago, %s)", clipText(p.Branch, 80), formatTTL(e.now().Sub(p.PushedAt)), p.Name)
	}
	oldest := ps[0].Branch
	fmt.Fprintf(&b, "\nRemove one with `git push quayside --delete %s` or `quayside previews destroy %s %s`, or allow more with `quayside previews enable %s --max %d`.",
		clipText(oldest, 80), app, clipText(oldest, 80), app, min(s.Max+5, MaxPreviews))
	return Errorf(ECONFLICT, "%s", b.String())
}

// createPreview creates the preview app of branch with a free name, its
// starting config and its route.
func (e *Engine) createPreview(ctx context.Context, parent *App, s *PreviewSettings, branch string) (*Preview, error) {
	start, err := e.previewStartConfig(ctx, parent)
	if err != nil {
		return nil, err
	}
	app, err := e.createPreviewApp(ctx, parent, s, branch)
	if err != nil {
		return nil, err
	}
	p := &Preview{Name: app.Name, App: parent.Name, Branch: branch}
	if err := e.cfg.Store.CreatePreview(ctx, p); err != nil {
		e.forgetApp(ctx, app.Name)
		return nil, err
	}
	cv := &ConfigVersion{App: app.Name, Vars: start.Vars, RuntimeOnly: start.RuntimeOnly, Author: app.CreatedBy}
	if err := e.cfg.Store.CreateConfigVersion(ctx, cv); err != nil {
		e.forgetApp(ctx, app.Name)
		return nil, err
	}
	if err := e.cfg.Store.SetAppConfigVersion(ctx, app.Name, cv.Version); err != nil {
		e.forgetApp(ctx, app.Name)
		return nil, err
	}
	e.setRoute(ctx, app, nil)
	e.manageCerts(ctx, e.AppHost(app.Name))
	e.emit(ctx, Event{App: parent.Name, Kind: EventPreviewCreated, Actor: app.CreatedBy,
		Message: fmt.Sprintf("preview of branch %s created at %s", clipText(branch, 80), e.AppURL(app.Name))})
	return p, nil
}

// createPreviewApp stores the app record of a new preview: web=1, the
// parent's health check and builder, the preview basic auth. A name taken
// by another app (an older app or the preview of a branch with the same
// slug) gives way to the hashed name.
func (e *Engine) createPreviewApp(ctx context.Context, parent *App, s *PreviewSettings, branch string) (*App, error) {
	var err error
	for _, hashed := range []bool{false, true} {
		app := &App{
			Name: PreviewName(parent.Name, branch, hashed), DeployBranch: branch, State: AppActive,
			Health: parent.Health, Scale: Scale{ProcessWeb: 1}, Builder: parent.Builder,
			Edge: DefaultEdge(), CreatedBy: parent.CreatedBy,
		}
		if id, ok := IdentityFrom(ctx); ok && id.User != "" {
			app.CreatedBy = id.User
		}
		app.Edge.BasicAuthUser, app.Edge.BasicAuthHash = s.AuthUser, s.AuthHash
		if err = e.cfg.Store.CreateApp(ctx, app); err == nil {
			return app, nil
		}
		if ErrorCode(err) != ECONFLICT {
			return nil, err
		}
	}
	return nil, Errorf(ECONFLICT, "no free name for a preview of branch %q of %s: rename the branch", clipText(branch, 80), parent.Name)
}

// forgetApp removes the record of an app that never ran.
func (e *Engine) forgetApp(ctx context.Context, name string) {
	if err := e.cfg.Store.DeleteApp(context.WithoutCancel(ctx), name); err != nil {
		e.log.Error("remove unfinished preview", "app", name, "err", err)
	}
}

// dropFailedPreview destroys a preview whose first push failed.
func (e *Engine) dropFailedPreview(ctx context.Context, p *Preview) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := e.destroyPreview(ctx, p, "its first push failed"); err != nil {
		e.log.Error("destroy failed preview", "preview", p.Name, "err", err)
	}
}

// DeleteBranch handles a push that deletes a branch of app: the deploy
// branch cannot be deleted; another branch's preview, if any, is destroyed.
func (e *Engine) DeleteBranch(ctx context.Context, app, ref string) error {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return err
	}
	a, err := e.cfg.Store.FindApp(ctx, app)
	if err != nil {
		return err
	}
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok || branch == "" {
		return Errorf(EINVALID, "%s is not a branch: only branches can be deleted", clipText(ref, 80))
	}
	if branch == a.DeployBranch {
		return Errorf(EINVALID, "%s is the deploy branch of %s and cannot be deleted: to remove the app, run `quayside apps destroy %s`", clipText(branch, 80), app, app)
	}
	p, err := e.cfg.Store.FindPreviewOf(ctx, app, branch)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	return e.destroyPreview(ctx, p, "branch deleted by "+actor(ctx, "a push"))
}

// formatTTL writes d in days, hours, minutes or seconds, roughly.
func formatTTL(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
