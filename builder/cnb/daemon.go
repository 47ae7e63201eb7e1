package cnb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockercause"
)

// daemonImages is the imageStore of a real daemon.
type daemonImages struct {
	cli  *client.Client
	wrap func(verb string, err error) error
}

// Exists reports whether the daemon has ref.
func (d *daemonImages) Exists(ctx context.Context, ref string) (bool, error) {
	_, err := d.cli.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	default:
		return false, d.wrap("inspect image "+ref, err)
	}
}

// Pull pulls ref and reads the pull's progress to its end; an error
// reported inside the stream is returned too.
func (d *daemonImages) Pull(ctx context.Context, ref string) error {
	rc, err := d.cli.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return d.wrap("pull "+ref, err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("pull %s: read progress: %w", ref, err)
		}
		if m.Error != "" {
			return fmt.Errorf("pull %s: %s", ref, m.Error)
		}
	}
}

// pullFailure says in a few words why a pull failed; timedOut is whether
// the pull ran out of its time.
func pullFailure(err error, timedOut bool, timeout time.Duration) string {
	msg := strings.ToLower(err.Error())
	switch {
	case timedOut || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer from its registry within %s", timeout)
	case containsAny(msg, "no such host", "dial tcp", "i/o timeout", "network is unreachable", "connection refused", "tls handshake"):
		return "its registry cannot be reached; this server may have no internet access"
	case cerrdefs.IsUnauthorized(err) || cerrdefs.IsPermissionDenied(err) || containsAny(msg, "unauthorized", "denied"):
		return "the registry refused access to it"
	case cerrdefs.IsNotFound(err) || containsAny(msg, "not found", "manifest unknown"):
		return "its registry does not have it"
	default:
		return "the pull failed: " + firstLine(err.Error(), 160)
	}
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
	if e := dockercause.Explain("the buildpacks build ("+verb+")", tech); e != nil {
		b.log.Error("buildpacks build failed", "op", verb, "err", err)
		return e
	}
	return tech
}

// containsAny reports whether s contains one of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// firstLine returns the first line of s, cut to at most n bytes.
func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
