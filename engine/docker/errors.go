package docker

import (
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
)

// wrap turns an error of the Docker client into the error Quayside returns:
// *engine.Error EUNAVAILABLE when the daemon cannot be reached, otherwise
// the error wrapped as "verb: err".
func (r *Runtime) wrap(verb string, err error) error {
	if err == nil {
		return nil
	}
	if client.IsErrConnectionFailed(err) {
		r.log.Error("docker daemon unreachable", "op", verb, "err", err)
		return unavailable(r.cli.DaemonHost())
	}
	return fmt.Errorf("%s: %w", verb, err)
}

// unavailable is the error for a daemon that does not answer at host.
func unavailable(host string) *engine.Error {
	return engine.Errorf(engine.EUNAVAILABLE,
		"cannot reach the Docker daemon: no answer at %s; is dockerd running?", host)
}

// notFound is the error for a container that is missing or not ours.
func notFound(id string) *engine.Error {
	return engine.Errorf(engine.ENOTFOUND, "container %s not found", id)
}

// isNotFound reports whether err says the Docker object does not exist.
func isNotFound(err error) bool {
	return cerrdefs.IsNotFound(err)
}
