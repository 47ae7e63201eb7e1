package engine

import (
	"context"
	"fmt"
	"strings"
)

// Push builds req.NewCommit and deploys it as a new release of req.App. It
// returns the release once it serves traffic. On any error the push must be
// rejected: the previous release keeps serving. A push of another branch
// than the deploy branch of an app with previews deploys that branch's
// preview (see pushPreview).
func (e *Engine) Push(ctx context.Context, req PushRequest) (*Release, error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	if rel, handled, err := e.pushPreview(ctx, req); handled {
		return rel, err
	}
	return e.pushApp(ctx, req, AuditPush, req.App)
}

// pushApp deploys req.NewCommit as a new release of req.App, audited as
// action on auditApp.
func (e *Engine) pushApp(ctx context.Context, req PushRequest, action, auditApp string) (rel *Release, err error) {
	defer func() { e.audit(ctx, action, auditApp, req.Ref, "commit "+ShortCommit(req.NewCommit), err) }()
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
	cronJobs, err := e.prepareAppJSONCron(ctx, app.Name, req.Source)
	if err != nil {
		return nil, err
	}
	rel = &Release{
		App: app.Name, Kind: KindDeploy, Status: ReleaseBuilding,
		Description: deployDescription(req), Commit: req.NewCommit,
		Author: req.Author, ConfigVersion: app.ConfigVersion,
	}
	if req.configVersion != 0 {
		rel.ConfigVersion = req.configVersion
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
		if cerr := e.saveAppJSONCron(ctx, app.Name, cronJobs, out); cerr != nil {
			out.Step("Warning: the scheduled jobs of app.json were not saved: %s", ErrorMessage(cerr))
		}
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
	env, err := e.buildEnv(ctx, rel)
	if err != nil {
		e.failRelease(rel, "its config could not be read")
		return err
	}
	start := e.now()
	img, err := e.cfg.Builder.Build(ctx, BuildRequest{
		App: rel.App, Release: rel.Number, Commit: rel.Commit,
		Source: req.Source, Options: req.Options, Output: out,
		ClearCache: clear, BuilderImage: app.Builder, Env: env,
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

// buildEnv returns the config variables a build of rel sees: those of
// its config version but the runtime-only ones.
func (e *Engine) buildEnv(ctx context.Context, rel *Release) (map[string]string, error) {
	cv, err := e.cfg.Store.FindConfigVersion(ctx, rel.App, rel.ConfigVersion)
	if err != nil {
		return nil, fmt.Errorf("read build config: %w", err)
	}
	return cv.BuildEnv(), nil
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
		return Errorf(EINVALID, "app %s deploys from branch %q, not %q: push with `git push quayside %s:%s`, or deploy each branch as a preview after `quayside previews enable %s`",
			app.Name, app.DeployBranch, branch, branch, app.DeployBranch, app.Name)
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

// maxSubjectRunes bounds the commit subject a release's description shows.
const maxSubjectRunes = 100

// deployDescription describes the release of a push: "Deploy 3f2a9c1",
// followed by the commit's subject when it is known ("Deploy 3f2a9c1: Fix
// the sign-in page"), made plain and cut to maxSubjectRunes.
func deployDescription(req PushRequest) string {
	d := "Deploy " + ShortCommit(req.NewCommit)
	subject := strings.TrimSpace(PlainText(req.Subject))
	if subject == "" {
		return d
	}
	if r := []rune(subject); len(r) > maxSubjectRunes {
		subject = strings.TrimSpace(string(r[:maxSubjectRunes])) + "…"
	}
	return d + ": " + subject
}
