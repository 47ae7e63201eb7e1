package dockerfile

import (
	"context"
	"io"
	"net"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/egress"
)

// checkBases refuses base images the daemon must not use on a user's
// behalf: one from a registry whose host is a refused address (loopback,
// link-local, private, this server's own; the daemon would contact it from
// the host's network), and one whose ONBUILD triggers ADD a remote source
// (they run in this build as if written in the Dockerfile). A base image
// that is not present is pulled first, as the build would, so that its
// triggers are checked; a pull that fails is left for the build to report.
func (b *Builder) checkBases(ctx context.Context, p *plan) error {
	for _, bs := range p.bases {
		if err := checkRegistry(bs); err != nil {
			return err
		}
		triggers, err := b.triggers(ctx, bs.ref)
		if err != nil {
			return err
		}
		for _, t := range triggers {
			if err := checkTrigger(bs.line, t); err != nil {
				return engine.Errorf(engine.EINVALID, "base image %s: %s", bs.ref, engine.ErrorMessage(err))
			}
		}
	}
	return nil
}

// checkRegistry refuses a FROM whose registry host is a refused address
// literal or localhost.
func checkRegistry(bs base) error {
	named, err := reference.ParseNormalizedNamed(bs.ref)
	if err != nil {
		return nil // the daemon refuses it too
	}
	host := reference.Domain(named)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	var refused error
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		refused = &egress.RefusedError{}
	} else {
		refused = (&egress.Policy{}).CheckHost(host)
	}
	if refused == nil {
		return nil
	}
	return engine.Errorf(engine.EINVALID,
		"Dockerfile line %d: FROM %s is refused: the Docker daemon would contact the registry at %s from the server's own network, "+
			"where it reaches services meant for the server alone. Use an image from a public registry.", bs.line, bs.ref, host)
}

// triggers returns the ONBUILD triggers of a base image, pulling it first
// when it is not present; none when it cannot be had.
func (b *Builder) triggers(ctx context.Context, ref string) ([]string, error) {
	info, err := b.cli.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		if err := b.pull(ctx, ref); err != nil {
			b.log.Info("pull base image to check it failed", "image", ref, "err", err)
			return nil, nil
		}
		info, err = b.cli.ImageInspect(ctx, ref)
	}
	if cerrdefs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, b.wrap("inspect base image", err)
	}
	if info.Config == nil {
		return nil, nil
	}
	return info.Config.OnBuild, nil
}

// pull pulls an image and waits for the pull to end.
func (b *Builder) pull(ctx context.Context, ref string) error {
	rc, err := b.cli.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}
