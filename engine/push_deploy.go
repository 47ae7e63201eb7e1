package engine

import (
	"context"
	"fmt"
	"strings"
)

// Push builds req.NewCommit and deploys it as a new release of req.App. It
// returns the release once it serves traffic. On any error the push must be
// rejected: the previous release keeps serving.
func (e *Engine) Push(ctx context.Context, req PushRequest) (rel *Release, err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditPush, req.App, req.Ref, "commit "+ShortCommit(req.NewCommit), err) }()
	out, capt := e.recordingOutput(req.App, req.Output)
	app, err := e.appForChange(ctx, req.App)
	if err != nil {
		return nil, err
	}
	if err := checkPushRef(app, req.Ref); err != nil {
		return nil, err
	}
	ctx, unlock, err := e.lockApp(ctx, app.Name, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if app, err = e.appForChange(ctx, req.App); err != nil {
		return nil, err
	}
	rel = &Release{
		App: app.Name, Kind: KindDeploy, Status: ReleaseBuilding,
		Description: "Deploy " + ShortCommit(req.NewCommit), Commit: req.NewCommit,
		Author: req.Author, ConfigVersion: app.ConfigVersion,
	}
	if err := e.cfg.Store.CreateRelease(ctx, rel); err != nil {
		return nil, err
	}
	e.deployStarted(ctx, rel, "deploy of "+ShortCommit(req.NewCommit)+" as v"+itoa(rel.Number))
	e.recordCommits(ctx, app, rel, req)
	err = e.build(ctx, app, rel, req, out)
	if err == nil {
		err = e.deployRelease(ctx, app, rel, out)
	}
	if err == nil && isProduction(rel) {
		e.readCatalog(ctx, app.Name, req.Source, out)
	}
	e.finishRelease(ctx, rel, capt, err)
	if err != nil {
		return nil, err
	}
	return rel, nil
}

// build turns the pushed commit into the release's image, waiting for a
// build slot first.
func (e *Engine) build(ctx context.Context, app *App, rel *Release, req PushRequest, out *progress) error {
	release, err := e.buildSlot(ctx, out)
	if err != nil {
		e.failRelease(rel, "cancelled while waiting for a build slot")
		return err
	}
	defer release()
	out.Step("Building %s v%d from commit %s", rel.App, rel.Number, ShortCommit(rel.Commit))
	_, clear := req.Options["clear-cache"]
	start := e.now()
	img, err := e.cfg.Builder.Build(ctx, BuildRequest{
		App: rel.App, Release: rel.Number, Commit: rel.Commit,
		Source: req.Source, Options: req.Options, Output: out,
		ClearCache: clear, BuilderImage: app.Builder,
	})
	e.buildFinished(rel.App, e.now().Sub(start), err)
	if err != nil {
		msg := ErrorMessage(stepError("build", err))
		code := ErrorCode(err)
		if code == EINTERNAL || code == EUNAVAILABLE {
			e.log.Error("build failed", "app", rel.App, "release", rel.Number, "err", ErrorMessage(err), "detail", ErrorDetail(err))
		}
		if code == EINTERNAL {
			code = EDEPLOYFAILED
		}
		writeDetail(out, err)
		e.failRelease(rel, msg)
		return &Error{Code: code, Message: fmt.Sprintf("v%d failed: %s", rel.Number, msg), Err: err}
	}
	rel.Image, rel.Port, rel.BuildMethod, rel.Processes = img.Ref, img.Port, img.Method, img.Processes
	rel.Status = ReleaseDeploying
	return e.cfg.Store.UpdateRelease(ctx, rel)
}

// buildSlot waits until fewer than MaxBuilds builds run, and returns the
// function that frees the slot.
func (e *Engine) buildSlot(ctx context.Context, out *progress) (func(), error) {
	select {
	case e.builds <- struct{}{}:
	default:
		out.Step("Waiting for a build slot: %d builds are running (the server allows %d at once)", len(e.builds), cap(e.builds))
		select {
		case e.builds <- struct{}{}:
		case <-ctx.Done():
			return nil, Errorf(EUNAVAILABLE, "the push was cancelled while waiting for a build slot")
		}
	}
	return func() { <-e.builds }, nil
}

// checkPushRef refuses refs the app does not deploy from.
func checkPushRef(app *App, ref string) error {
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		return Errorf(EINVALID, "%s is not a branch: push a branch, for example `git push quayside %s`", ref, app.DeployBranch)
	}
	if branch != app.DeployBranch {
		return Errorf(EINVALID, "app %s deploys from branch %q, not %q: push with `git push quayside %s:%s`",
			app.Name, app.DeployBranch, branch, branch, app.DeployBranch)
	}
	return nil
}

// appForChange returns app if it exists and may be changed.
func (e *Engine) appForChange(ctx context.Context, name string) (*App, error) {
	app, err := e.cfg.Store.FindApp(ctx, name)
	if err != nil {
		return nil, err
	}
	if app.State == AppDestroying {
		return nil, Errorf(ECONFLICT, "app %s is being destroyed: nothing can be deployed to it", name)
	}
	app.Health = app.Health.WithDefaults()
	return app, nil
}

// lockApp waits for other changes to app to finish, telling the user why
// they wait.
func (e *Engine) lockApp(ctx context.Context, app string, out *progress) (context.Context, func(), error) {
	if e.locks.busy(app) {
		out.Step("Waiting for the change in progress on %s to finish", app)
	}
	ctx, unlock, err := e.locks.lock(ctx, app)
	if err != nil {
		return nil, nil, Errorf(EUNAVAILABLE, "gave up waiting for the change in progress on %s", app)
	}
	return ctx, unlock, nil
}
