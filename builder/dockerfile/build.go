package dockerfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockercause"
	"github.com/quayside/quayside/internal/dockernames"
)

// errBuildEnded closes the context pipe once the daemon no longer reads it.
var errBuildEnded = errors.New("build ended")

// Build implements engine.Builder. It streams the commit's tree to the
// daemon as the build context, relays the build's output to req.Output line
// by line as it comes, and returns the image with its ID as Ref. With
// req.ClearCache no step reuses a cached layer. The image's Processes stay
// nil: process types (a Procfile) are read above the builder. A commit
// without a Dockerfile is EINVALID, and so is a Dockerfile that ADDs a URL
// (see checkRemoteSources) or starts from a base image that is refused
// (see checkBases); the Dockerfile checked is the archived one; a build that fails is EDEPLOYFAILED with
// the daemon's error and the last lines of output. A build that fails
// because the daemon lost one of its intermediate images (something else
// removed it meanwhile) runs once more from a fresh archive of the source
// (see buildRetrying). When ctx ends the build is abandoned (the daemon
// stops it) and ctx's error is returned.
func (b *Builder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	df, err := archivedDockerfile(ctx, req.Source)
	switch {
	case engine.ErrorCode(err) == engine.ENOTFOUND:
		return nil, engine.Errorf(engine.EINVALID,
			"commit %s has no Dockerfile at the root of the repository: add one to deploy with Docker", engine.ShortCommit(req.Commit))
	case err != nil:
		return nil, fmt.Errorf("look for Dockerfile: %w", err)
	}
	p, err := checkRemoteSources(df, req.Env)
	if err != nil {
		return nil, err
	}
	if err := b.checkBases(ctx, p); err != nil {
		return nil, err
	}
	id, err := b.buildRetrying(ctx, req, buildArgs(req.Env, p.args))
	if err != nil {
		return nil, err
	}
	return b.image(ctx, id)
}

// build runs the build with the commit's tree streamed through a pipe and
// returns the image ID. It returns only after the archiving goroutine ended.
func (b *Builder) build(ctx context.Context, req engine.BuildRequest, args map[string]*string) (string, error) {
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	archived := make(chan error, 1)
	go func() {
		err := req.Source.Archive(bctx, pw)
		pw.CloseWithError(err)
		archived <- err
	}()
	id, err := b.send(bctx, pr, req, args)
	pr.CloseWithError(errBuildEnded)
	cancel()
	archiveErr := <-archived
	return id, b.outcome(ctx, err, archiveErr)
}

// outcome picks the error to report: the caller's cancellation first, then
// a failure to produce the source, then the build's own.
func (b *Builder) outcome(ctx context.Context, buildErr, archiveErr error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("build image: %w", ctx.Err())
	}
	if archiveErr != nil && !pipeClosed(archiveErr) {
		var e *engine.Error
		if errors.As(archiveErr, &e) {
			return e
		}
		return fmt.Errorf("archive source: %w", archiveErr)
	}
	return buildErr
}

// pipeClosed reports whether the source failed only because the build
// stopped reading it (it ended, failed, or was cancelled).
func pipeClosed(err error) bool {
	return errors.Is(err, errBuildEnded) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, context.Canceled)
}

// send posts the build and follows its output until it ends.
func (b *Builder) send(ctx context.Context, buildContext io.Reader, req engine.BuildRequest, args map[string]*string) (string, error) {
	opts := b.options(req)
	opts.BuildArgs = args
	resp, err := b.cli.ImageBuild(ctx, buildContext, opts)
	if err != nil {
		return "", b.requestError(err)
	}
	defer resp.Body.Close()
	out := newProgress(req.Output)
	res, err := relay(resp.Body, out)
	out.finish()
	if err != nil {
		return "", b.wrap("read build output", err)
	}
	if lostIntermediate(res.Failure) {
		return "", &lostImage{failure: res.Failure, tail: out.last()}
	}
	if res.Failure != "" {
		b.log.Info("dockerfile build failed", "app", req.App, "release", req.Release, "err", res.Failure)
		return "", buildFailure(res.Failure, out.last())
	}
	if res.ImageID == "" {
		return dockernames.ImageTag(b.instance, req.App, req.Release), nil
	}
	return res.ImageID, nil
}

// options are the build's options: classic builder, no pulling, no
// intermediate containers left behind, our tag and labels, the limits, and
// no cache at all when req.ClearCache asks for a clean build.
func (b *Builder) options(req engine.BuildRequest) build.ImageBuildOptions {
	return build.ImageBuildOptions{
		Version:     build.BuilderV1,
		Dockerfile:  "Dockerfile",
		Tags:        []string{dockernames.ImageTag(b.instance, req.App, req.Release)},
		Labels:      dockernames.ImageLabels(b.instance, req.App, req.Release),
		NoCache:     req.ClearCache,
		Remove:      true,
		ForceRemove: true,
		Memory:      b.Memory,
		MemorySwap:  b.Memory, // no swap on top of the cap
		CPUPeriod:   b.CPUPeriod,
		CPUQuota:    b.CPUQuota,
	}
}

// requestError maps an error the daemon answered the build request with.
// A lost intermediate image is a lostImage; errors about the request itself (a Dockerfile it cannot parse) are the
// user's build failing.
func (b *Builder) requestError(err error) error {
	if lostIntermediate(err.Error()) {
		return &lostImage{failure: strings.TrimPrefix(err.Error(), "Error response from daemon: ")}
	}
	if cerrdefs.IsInvalidArgument(err) {
		return failed(strings.TrimPrefix(err.Error(), "Error response from daemon: "), "")
	}
	return b.wrap("start build", err)
}

// failed is the EDEPLOYFAILED error of a build that ran and failed.
func failed(reason, tail string) *engine.Error {
	msg := "Dockerfile build failed: " + reason
	if tail != "" {
		msg += "\n\nLast lines of the build output:\n" + tail
	}
	return engine.Errorf(engine.EDEPLOYFAILED, "%s", msg)
}

// buildFailure is the error of a build the daemon ran and failed with
// failure: a server resource exhausted (dockercause) says so and what to
// do, keeping failure as the detail; a step killed with code 137 points at
// the build's memory cap; anything else is the build failing.
func buildFailure(failure, tail string) error {
	if e := dockercause.Explain("the Dockerfile build", errors.New(failure)); e != nil {
		return e
	}
	if strings.HasSuffix(strings.TrimSpace(failure), "non-zero code: 137") {
		failure += " (the step was killed, most often because the build ran out of memory: " +
			"the server's --build-memory caps each build)"
	}
	return failed(failure, tail)
}

// wrap turns a Docker client error into EUNAVAILABLE when the daemon cannot
// be reached, into the plain words of dockercause when a server resource
// is exhausted, and wraps it as "verb: err" otherwise.
func (b *Builder) wrap(verb string, err error) error {
	if client.IsErrConnectionFailed(err) {
		b.log.Error("docker daemon unreachable", "op", verb, "err", err)
		return engine.Wrapf(fmt.Errorf("%s: %w", verb, err), engine.EUNAVAILABLE,
			"cannot reach the Docker daemon: no answer at %s; is dockerd running?", b.cli.DaemonHost())
	}
	tech := fmt.Errorf("%s: %w", verb, err)
	if e := dockercause.Explain("the Dockerfile build ("+verb+")", tech); e != nil {
		b.log.Error("dockerfile build failed", "op", verb, "err", err)
		return e
	}
	return tech
}
