package engine

import (
	"context"
	"fmt"
	"io"
)

// RollbackRequest asks for an earlier release to run again.
type RollbackRequest struct {
	App string
	// To is the release to return to; 0 means the release that was active
	// before the current one.
	To     int
	Author string
	Output io.Writer
}

// Rollback deploys a new release with the image and config of an earlier
// release that served traffic. Nothing is rebuilt.
func (e *Engine) Rollback(ctx context.Context, req RollbackRequest) (rel *Release, err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditRollback, req.App, "", "to v"+itoa(req.To), err) }()
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
	target, err := e.rollbackTarget(ctx, app, req.To)
	if err != nil {
		return nil, err
	}
	rel = &Release{
		App: app.Name, Kind: KindRollback, Status: ReleaseDeploying,
		Description: fmt.Sprintf("Rollback to v%d", target.Number),
		Image:       target.Image, Port: target.Port, BuildMethod: target.BuildMethod,
		Commit: target.Commit, Author: req.Author, ConfigVersion: target.ConfigVersion,
		Processes:  target.Processes,
		RollbackOf: target.Number,
	}
	if err := e.cfg.Store.CreateRelease(ctx, rel); err != nil {
		return nil, err
	}
	e.deployStarted(ctx, rel, fmt.Sprintf("rollback to v%d as v%d", target.Number, rel.Number))
	out.Step("Rolling back %s to v%d (image and config of v%d) as v%d", app.Name, target.Number, target.Number, rel.Number)
	err = e.deployRelease(ctx, app, rel, out)
	e.finishRelease(ctx, rel, capt, err)
	return rel, err
}

// rollbackTarget finds the release to return to and checks it can run.
func (e *Engine) rollbackTarget(ctx context.Context, app *App, to int) (*Release, error) {
	if app.CurrentRelease == 0 {
		return nil, Errorf(EINVALID, "app %s has no release yet, so there is nothing to roll back to", app.Name)
	}
	if to == 0 {
		return e.previousGoodRelease(ctx, app)
	}
	if to == app.CurrentRelease {
		return nil, Errorf(EINVALID, "v%d is already the current release of %s", to, app.Name)
	}
	r, err := e.cfg.Store.FindRelease(ctx, app.Name, to)
	if err != nil {
		return nil, err
	}
	if !r.Succeeded() {
		return nil, Errorf(EINVALID, "v%d never served traffic (%s): roll back to a release that did; `quayside releases %s` lists them", to, r.Status, app.Name)
	}
	return r, checkImageKept(r)
}

// previousGoodRelease is the newest release before the current one that
// served traffic.
func (e *Engine) previousGoodRelease(ctx context.Context, app *App) (*Release, error) {
	rels, err := e.cfg.Store.ListReleases(ctx, app.Name, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if r.Number < app.CurrentRelease && r.Succeeded() {
			return r, checkImageKept(r)
		}
	}
	return nil, Errorf(EINVALID, "app %s has no earlier release that served traffic", app.Name)
}

// checkImageKept refuses releases whose image was pruned.
func checkImageKept(r *Release) error {
	if r.Image == "" {
		return Errorf(EINVALID, "the image of v%d was removed to save disk (only the newest releases keep their images): deploy that commit again with git push instead", r.Number)
	}
	return nil
}
