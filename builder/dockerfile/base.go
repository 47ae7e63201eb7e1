package dockerfile

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

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
		if err := checkRegistry(ctx, bs); err != nil {
			return err
		}
		if bs.copyFrom {
			continue
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

// checkRegistry refuses an image whose registry host is localhost, a
// refused address literal, or a name that resolves to a refused address
// now (the daemon resolves it again: a name that changes its answer in
// between is not caught). A name that does not resolve is left to the
// daemon.
func checkRegistry(ctx context.Context, bs base) error {
	named, err := reference.ParseNormalizedNamed(bs.ref)
	if err != nil {
		return nil // the daemon refuses it too
	}
	host := reference.Domain(named)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if !refusedHost(ctx, host) {
		return nil
	}
	verb := "FROM "
	if bs.copyFrom {
		verb = "COPY --from="
	}
	return engine.Errorf(engine.EINVALID,
		"Dockerfile line %d: "+verb+"%s is refused: the Docker daemon would contact the registry at %s from the server's own network, "+
			"where it reaches services meant for the server alone. Use an image from a public registry.", bs.line, bs.ref, host)
}

// resolveTimeout bounds the look-up of a registry's host name.
const resolveTimeout = 3 * time.Second

// refusedHost reports whether a registry host is localhost, a refused
// address, or a name resolving to one.
func refusedHost(ctx context.Context, host string) bool {
	lower := strings.ToLower(host)
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return true
	}
	policy := &egress.Policy{}
	if addr, err := netip.ParseAddr(host); err == nil {
		return policy.Check(addr) != nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if policy.Check(a) != nil {
			return true
		}
	}
	return false
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
