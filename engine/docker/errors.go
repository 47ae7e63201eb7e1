package docker

import (
	"fmt"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/quayside/quayside/engine"
)

// wrap turns an error of the Docker client into the error Quayside returns:
// an *engine.Error that says in plain words which step failed, why and
// what to do (explain; EUNAVAILABLE when the daemon cannot be reached), and
// wraps the daemon's own text as "verb: err" for logs and release output.
// A cancelled or expired context is only wrapped as "verb: err".
func (r *Runtime) wrap(verb string, err error) error {
	if err == nil {
		return nil
	}
	tech := fmt.Errorf("%s: %w", verb, err)
	if isUnreachable(err) {
		r.log.Error("docker daemon unreachable", "op", verb, "err", err)
		return unavailable(r.cli.DaemonHost(), tech)
	}
	if e := explain(verb, err); e != nil {
		if e.Code == engine.EUNAVAILABLE { // a resource of the server ran out
			r.log.Error("docker failed", "op", verb, "err", err)
		}
		return e
	}
	return tech
}

// unavailable is the error for a daemon that does not answer at host.
func unavailable(host string, err error) *engine.Error {
	return engine.Wrapf(err, engine.EUNAVAILABLE,
		"cannot reach the Docker daemon: no answer at %s; is dockerd running? Start it (`systemctl start docker`) or check that quayside may use its socket, then try again", host)
}

// notFound is the error for a container that is missing or not ours.
func notFound(id string) *engine.Error {
	return engine.Errorf(engine.ENOTFOUND, "container %s not found", id)
}

// isNotFound reports whether err says the Docker object does not exist.
func isNotFound(err error) bool {
	return cerrdefs.IsNotFound(err)
}
