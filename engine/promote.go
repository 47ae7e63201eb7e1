package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// AuditPromote is the audit action of a promotion; the entry's App is the
// target, its Target the source.
const AuditPromote = "promote"

// PromoteRequest asks for the image of Source's current release to run in
// Target. Source is any app with releases: a staging app or a preview.
type PromoteRequest struct {
	Source string
	Target string
	Author string
	Output io.Writer
}

// Promote deploys the image of req.Source's current release as a new
// release of req.Target, with Target's own config and scale and nothing
// rebuilt. Like any deploy it is health-gated: Target's current release
// keeps serving until the new one is healthy, and a failed promotion
// leaves it serving. The caller must be allowed to deploy Target and to
// see Source (ENOTFOUND otherwise, exactly as for a missing app). A
// Source without a release, or whose image was removed, is EINVALID;
// Source == Target is EINVALID.
func (e *Engine) Promote(ctx context.Context, req PromoteRequest) (rel *Release, err error) {
	if err := checkPromotePair(req); err != nil {
		return nil, err
	}
	if err := e.authorize(ctx, ActDeploy, req.Target); err != nil {
		return nil, err
	}
	if err := e.authorize(ctx, ActReadApp, req.Source); err != nil {
		return nil, err
	}
	req.Author = actor(ctx, req.Author)
	detail := "from " + req.Source
	defer func() { e.audit(ctx, AuditPromote, req.Target, req.Source, detail, err) }()
	out, capt := e.recordingOutput(req.Target, req.Output)
	ctx, unlock, err := e.lockApp(ctx, req.Target, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err := e.appForChange(ctx, req.Target)
	if err != nil {
		return nil, err
	}
	src, err := e.promotionSource(ctx, req.Source)
	if err != nil {
		return nil, err
	}
	detail = promotedFrom(src)
	rel = promotionRelease(app, src, req.Author)
	if err := e.cfg.Store.CreateRelease(ctx, rel); err != nil {
		return nil, err
	}
	e.deployStarted(ctx, rel, fmt.Sprintf("promotion %s as v%d", detail, rel.Number))
	out.Step("Promoting %s v%d (commit %s) to %s as v%d: its image, %s's config, no build",
		src.App, src.Number, ShortCommit(src.Commit), app.Name, rel.Number, app.Name)
	err = e.deployRelease(ctx, app, rel, out)
	err = explainMissingImage(err, src)
	e.finishRelease(ctx, rel, capt, err)
	if err != nil {
		return rel, err
	}
	return e.cfg.Store.FindRelease(context.WithoutCancel(ctx), rel.App, rel.Number)
}

// checkPromotePair refuses empty names and an app promoted into itself.
func checkPromotePair(req PromoteRequest) error {
	if req.Source == "" || req.Target == "" {
		return FieldError("source", "name the app to promote from and the app to promote to: `quayside promote SOURCE TARGET`")
	}
	if req.Source == req.Target {
		return Errorf(EINVALID, "%s cannot be promoted into itself: name another app as the target (to run an earlier release of %s, use `quayside rollback %s`)", req.Source, req.Source, req.Source)
	}
	return nil
}

// promotionSource is the current release of the app named source, if it
// has one whose image is still kept.
func (e *Engine) promotionSource(ctx context.Context, source string) (*Release, error) {
	app, err := e.cfg.Store.FindApp(ctx, source)
	if err != nil {
		return nil, err
	}
	if app.State == AppDestroying {
		return nil, Errorf(ECONFLICT, "%s is being destroyed: its image cannot be promoted", source)
	}
	if app.CurrentRelease == 0 {
		return nil, Errorf(EINVALID, "%s has no release yet, so there is nothing to promote: deploy it first (git push)", source)
	}
	r, err := e.cfg.Store.FindRelease(ctx, source, app.CurrentRelease)
	if err != nil {
		return nil, err
	}
	if r.Image == "" {
		return nil, Errorf(EINVALID, "the image of %s v%d was removed to save disk: push to %s again and promote its new release", source, r.Number, source)
	}
	return r, nil
}

// promotionRelease is the new release of app that runs src's image.
func promotionRelease(app *App, src *Release, author string) *Release {
	return &Release{
		App: app.Name, Kind: KindPromote, Status: ReleaseDeploying,
		Description: "Promoted from " + promotionOrigin(src),
		Image:       src.Image, Port: src.Port, BuildMethod: src.BuildMethod,
		Processes: src.Processes, Commit: src.Commit, Author: author,
		ConfigVersion: app.ConfigVersion,
		PromotedFrom:  src.App, PromotedRelease: src.Number,
	}
}

// promotedFrom says where a promotion's image came from:
// "promoted from staging v3 (3f2a9c1)".
func promotedFrom(src *Release) string {
	return "promoted from " + promotionOrigin(src)
}

// promotionOrigin names a release and its commit: "staging v3 (3f2a9c1)".
func promotionOrigin(src *Release) string {
	s := fmt.Sprintf("%s v%d", src.App, src.Number)
	if src.Commit != "" {
		s += " (" + ShortCommit(src.Commit) + ")"
	}
	return s
}

// explainMissingImage turns the runtime's "image not found" into what
// happened and what to do.
func explainMissingImage(err error, src *Release) error {
	if !hasCode(err, ENOTFOUND) {
		return err
	}
	return Wrapf(err, EINVALID, "the image of %s v%d is no longer in the runtime (removed outside Quayside?): push to %s again and promote its new release",
		src.App, src.Number, src.App)
}

// hasCode reports whether err or an error it wraps is an *Error with code.
func hasCode(err error, code string) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if e, ok := err.(*Error); ok && e.Code == code {
			return true
		}
	}
	return false
}
