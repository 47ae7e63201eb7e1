package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/swarm"

	"github.com/quayside/quayside/engine"
)

// Start implements engine.Runtime. In a cluster it creates the service of
// the replica spec and waits until its task runs and Swarm reports the
// task's port (or the task ran and exited: the engine's health check then
// says why), up to the start timeout; a service whose task never starts
// (no node may run it, the image cannot be pulled) is removed and its
// reason returned. Outside a cluster it starts a plain container.
func (r *Runtime) Start(ctx context.Context, spec engine.ContainerSpec) (*engine.Container, error) {
	on, err := r.clustered(ctx)
	if err != nil {
		return nil, err
	}
	if !on {
		return r.Runtime.Start(ctx, spec)
	}
	if spec.Replica < 1 || spec.Port < 0 || spec.Port > 65535 {
		return nil, engine.Errorf(engine.EINVALID, "replica %d or port %d is out of range", spec.Replica, spec.Port)
	}
	image, auth, err := r.image(ctx, spec)
	if err != nil {
		return nil, err
	}
	net, err := r.ensureNetwork(ctx, spec.App)
	if err != nil {
		return nil, err
	}
	resp, err := r.cli.ServiceCreate(ctx, serviceSpec(r.instance, spec, image, net, r.grace),
		swarm.ServiceCreateOptions{EncodedRegistryAuth: auth})
	if err != nil {
		return nil, dockerError("create service", err)
	}
	r.log.Info("service created", "app", spec.App, "process", spec.Process, "replica", spec.Replica, "id", resp.ID)
	c, err := r.waitRunning(ctx, resp.ID, spec.Port)
	if err != nil {
		r.removeQuietly(resp.ID)
		return nil, err
	}
	return c, nil
}

// image checks that the daemon has spec's image and ships it to the
// registry when there is one.
func (r *Runtime) image(ctx context.Context, spec engine.ContainerSpec) (ref, auth string, err error) {
	if _, err := r.cli.ImageInspect(ctx, spec.Image); cerrdefs.IsNotFound(err) {
		return "", "", engine.Wrapf(err, engine.ENOTFOUND, "image %s not found in Docker: build it first", spec.Image)
	} else if err != nil {
		return "", "", dockerError("inspect image", err)
	}
	ship, err := r.shipper(ctx)
	if err != nil || ship == nil {
		return spec.Image, "", err
	}
	ref, auth, err = ship.Ship(ctx, spec.App, spec.Image)
	if err != nil {
		return "", "", fmt.Errorf("ship image to the registry: %w", err)
	}
	return ref, auth, nil
}

// unplaceable is how long Start waits for a node when Swarm says no node
// may run the replica (its constraints match none, or none has room).
const unplaceable = 10 * time.Second

// waitRunning polls the service until its task runs with its port
// published, or ran and exited, or the timeout passes, or no node has been
// suitable for unplaceable.
func (r *Runtime) waitRunning(ctx context.Context, id string, port int) (*engine.Container, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var stuck time.Time
	for {
		c, why, err := r.inspectService(ctx, id)
		if err != nil {
			return nil, err
		}
		if c.Running && (port == 0 || c.Addr != "") || c.State == string(swarm.TaskStateFailed) {
			return c, nil
		}
		if !strings.Contains(why, "no suitable node") {
			stuck = time.Time{}
		} else if stuck.IsZero() {
			stuck = time.Now()
		} else if time.Since(stuck) > unplaceable {
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "no node may run the replica: %s. Check `quayside apps placement` and `quayside cluster nodes`", why)
		}
		select {
		case <-ctx.Done():
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "no node started the replica within %s: %s", r.timeout, orUnknown(why))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// orUnknown is why, or a placeholder when Swarm gave no reason.
func orUnknown(why string) string {
	if why == "" {
		return "Swarm gave no reason; see quayside cluster nodes"
	}
	return why
}

// removeQuietly removes a service even when ctx has ended, and only logs
// failures.
func (r *Runtime) removeQuietly(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.cli.ServiceRemove(ctx, id); err != nil && !cerrdefs.IsNotFound(err) {
		r.log.Warn("remove service", "id", id, "err", err)
	}
}

// dockerError wraps a Docker error: not found stays ENOTFOUND, a refused
// request (bad constraint, name taken) is EINVALID with Docker's words,
// anything else EUNAVAILABLE.
func dockerError(what string, err error) error {
	switch {
	case cerrdefs.IsNotFound(err):
		return engine.Wrapf(err, engine.ENOTFOUND, "%s: not found", what)
	case cerrdefs.IsInvalidArgument(err) || cerrdefs.IsConflict(err):
		return engine.Wrapf(err, engine.EINVALID, "%s: %s", what, err.Error())
	}
	return unavailable(what, err)
}
