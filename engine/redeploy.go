package engine

import (
	"context"
	"fmt"
	"io"
)

// Audit actions of the operations in this file and restart.go.
const (
	AuditRedeploy = "redeploy"
	AuditRestart  = "restart"
)

// RedeployRequest asks for the current release to be deployed again.
type RedeployRequest struct {
	App    string
	Author string
	Output io.Writer
}

// Redeploy deploys a new release with the image and config of the current
// release: fresh containers replace the running ones once healthy, as in
// any deploy. Nothing is rebuilt. A preview's config is first recomputed
// from its app's (keys marked production-only since are dropped). It
// needs ActDeploy; EINVALID when the app has no release or the current
// image was removed.
func (e *Engine) Redeploy(ctx context.Context, req RedeployRequest) (rel *Release, err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditRedeploy, req.App, "", redeployDetail(rel), err) }()
	out, capt := e.recordingOutput(req.App, req.Output)
	ctx, unlock, err := e.lockApp(ctx, req.App, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err := e.appForChange(ctx, req.App)
	if err != nil {
		return nil, err
	}
	cur, err := e.currentForChange(ctx, app, "redeploy")
	if err != nil {
		return nil, err
	}
	cfg, err := e.refreshPreviewConfig(ctx, app.Name, out)
	if err != nil {
		return nil, err
	}
	if cfg == 0 {
		cfg = cur.ConfigVersion
	}
	rel, err = e.redeploy(ctx, app, &Release{
		Kind: KindDeploy, ConfigVersion: cfg, Author: req.Author,
		Description: fmt.Sprintf("Redeploy of v%d", cur.Number),
	}, out)
	e.finishRelease(ctx, rel, capt, err)
	if err != nil {
		return rel, err
	}
	return e.cfg.Store.FindRelease(context.WithoutCancel(ctx), rel.App, rel.Number) // as it ended: active
}

func redeployDetail(rel *Release) string {
	if rel == nil || rel.Number == 0 {
		return ""
	}
	return "as v" + itoa(rel.Number)
}

// currentForChange returns app's current release for an operation (what,
// for the message) that needs one that runs, with its image kept.
func (e *Engine) currentForChange(ctx context.Context, app *App, what string) (*Release, error) {
	if app.CurrentRelease == 0 {
		return nil, Errorf(EINVALID, "app %s has no release yet, so there is nothing to %s: deploy it with git push first", app.Name, what)
	}
	cur, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return nil, err
	}
	return cur, checkImageKept(cur)
}
