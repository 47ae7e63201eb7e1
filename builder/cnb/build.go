package cnb

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/docker/docker/api/types/image"

	"github.com/quayside/quayside/engine"

	"github.com/quayside/quayside/internal/dockernames"
)

// errTimedOut is the cause of a build's context that ran out of time.
var errTimedOut = errors.New("build timed out")

// Build implements engine.Builder. It picks the builder image (the app's,
// else the server's, see Resolve), extracts the commit's tree, runs pack's
// build relaying its output to req.Output line by line, labels the result
// and tags it qs-<instance>/<app>:v<release>. It returns the image by ID
// with its buildpack process types. Errors: no builder image, or the
// daemon down, is EUNAVAILABLE; a tree it will not extract is EINVALID or
// ETOOLARGE; no buildpack recognising the app is EINVALID listing what the
// buildpacks look for; a build that ran and failed, or ran out of
// BuildTimeout, is EDEPLOYFAILED with the last lines of output. When ctx
// ends the build is stopped and ctx's error returned. With an Isolator the
// build runs in another process, with the same results.
func (b *Builder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	if b.cfg.Isolator != nil {
		return b.buildIsolated(ctx, req)
	}
	out := newOutput(req.Output)
	defer out.Close()
	bctx, cancel := context.WithTimeoutCause(ctx, b.cfg.BuildTimeout, errTimedOut)
	defer cancel()
	img, err := b.build(bctx, req, out)
	if err != nil && bctx.Err() != nil {
		b.cleanUpStopped(req.App)
	}
	if err != nil {
		return nil, b.outcome(ctx, bctx, req, err, out)
	}
	return img, nil
}

// build does the work of Build under its deadline.
func (b *Builder) build(ctx context.Context, req engine.BuildRequest, out *output) (*engine.Image, error) {
	builder, how, err := b.builderFor(ctx, req.BuilderImage)
	if err != nil {
		return nil, err
	}
	out.Line("       Building with buildpacks, using " + how)
	tr, err := b.trustFor(ctx, builder, out)
	if err != nil {
		return nil, err
	}
	info, err := b.inspectBuilder(ctx, builder)
	if err != nil {
		return nil, err
	}
	dir, err := b.extract(ctx, req, out)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	run, err := b.prepare(ctx, req, builder, info, dir, out)
	if err != nil {
		return nil, err
	}
	run.trust = tr
	defer b.untag(run.tag)
	if err := b.runPack(ctx, run); err != nil {
		return nil, &packError{err: err, builder: builder, info: info}
	}
	out.Done()
	id, err := b.labelImage(ctx, req, run.tag)
	if err != nil {
		return nil, err
	}
	return b.image(ctx, id)
}

// prepare sets up one run of pack: the pull policy, the cache and the
// earlier image whose layers may be reused. A build is cold (clears the
// caches and reuses no earlier image) when it asks to be, and when the
// app's build cache volume is missing: its first build, or the first since
// ClearCache.
func (b *Builder) prepare(ctx context.Context, req engine.BuildRequest, builder string, info builderInfo, dir string, out *output) (packRun, error) {
	pull, err := b.pullPolicy(ctx, info)
	if err != nil {
		return packRun{}, err
	}
	proj, err := readProject(dir, out)
	if err != nil {
		return packRun{}, err
	}
	run := packRun{
		app: req.App, dir: dir, tag: packTag(b.cfg.Instance, req.App, req.Release),
		builder: builder, pull: pull, clearCache: req.ClearCache, out: out,
		env: req.Env, project: proj,
	}
	buildCache, launchCache := dockernames.CacheVolumes(b.cfg.Instance, req.App)
	if req.ClearCache {
		out.Line("       Clearing the build cache: this build reuses nothing from earlier ones")
		return run, b.removeVolume(ctx, launchCache)
	}
	warm, err := b.volumeExists(ctx, buildCache)
	if err != nil || !warm {
		return run, err
	}
	run.previous, err = b.previousImage(ctx, req.App, req.Release)
	return run, err
}

// untag removes the tag pack wrote; the image itself stays as the parent
// of the labelled one (or goes, when there is none).
func (b *Builder) untag(tag string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
	defer cancel()
	_, err := b.cli.ImageRemove(ctx, tag, image.RemoveOptions{})
	if err != nil && !isNotFound(err) {
		b.log.Warn("remove pack's image tag", "tag", tag, "err", err)
	}
}

// outcome maps a failed build's error: the caller's cancellation first,
// then the timeout, then the error itself.
func (b *Builder) outcome(ctx, bctx context.Context, req engine.BuildRequest, err error, out *output) error {
	out.Finish()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("build image: %w", ctx.Err())
	case errors.Is(context.Cause(bctx), errTimedOut):
		b.log.Info("buildpacks build timed out", "app", req.App, "release", req.Release)
		return failed(fmt.Sprintf("the build ran longer than its timeout of %s", b.cfg.BuildTimeout), out.Tail(tailLines))
	}
	var pe *packError
	if errors.As(err, &pe) {
		b.log.Info("buildpacks build failed", "app", req.App, "release", req.Release, "err", pe.err)
		return b.packFailure(pe, out)
	}
	return err
}

// cleanUpStopped removes what a build of app stopped by its context (or
// its timeout) may have left: pack removes its containers and network with
// the build's context, which has ended by then.
func (b *Builder) cleanUpStopped(app string) {
	if err := b.removeAppLeftovers(app); err != nil {
		b.log.Warn("remove leftovers of a stopped build", "app", app, "err", err)
	}
}
