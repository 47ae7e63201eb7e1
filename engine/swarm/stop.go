package swarm

import (
	"context"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
)

// labelService is the label Swarm puts on the containers of its tasks.
const labelService = "com.docker.swarm.service.id"

// Stop implements engine.Runtime. A service is removed (its task gets
// SIGTERM, then SIGKILL after the grace it was created with) and Stop
// waits, up to grace and a little more, until no container of it is left
// on this server.
func (r *Runtime) Stop(ctx context.Context, id string, grace time.Duration) error {
	if !isService(id) {
		return r.Runtime.Stop(ctx, id, grace)
	}
	if _, _, err := r.inspectService(ctx, id); err != nil {
		if cerrdefs.IsNotFound(err) || isNotFound(err) {
			return nil
		}
		return err
	}
	if err := r.cli.ServiceRemove(ctx, id); err != nil && !cerrdefs.IsNotFound(err) {
		return dockerError("remove service", err)
	}
	return r.waitGone(ctx, id, max(grace, r.grace)+5*time.Second)
}

// waitGone waits until this server runs no container of service id.
func (r *Runtime) waitGone(ctx context.Context, id string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", labelService+"="+id))
	for {
		list, err := r.cli.ContainerList(ctx, container.ListOptions{Filters: f})
		if err != nil || len(list) == 0 {
			return nil // the service is gone; its containers follow
		}
		select {
		case <-ctx.Done():
			r.log.Warn("task containers still stopping", "service", id)
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// RemoveApp implements engine.Runtime: the app's services, its overlay
// network, then its plain network and images.
func (r *Runtime) RemoveApp(ctx context.Context, app string) error {
	if err := r.removeServices(ctx, app); err != nil {
		return err
	}
	return r.Runtime.RemoveApp(ctx, app)
}

// RemoveAppKeeping implements engine.AppImageKeeper as RemoveApp does.
func (r *Runtime) RemoveAppKeeping(ctx context.Context, app string, keep []string) error {
	if err := r.removeServices(ctx, app); err != nil {
		return err
	}
	return r.Runtime.RemoveAppKeeping(ctx, app, keep)
}

// removeServices removes app's services and overlay network.
func (r *Runtime) removeServices(ctx context.Context, app string) error {
	svcs, err := r.services(ctx, app)
	if err != nil {
		return err
	}
	for _, s := range svcs {
		if err := r.Stop(ctx, s.ID, r.grace); err != nil {
			return err
		}
	}
	if len(svcs) == 0 {
		return nil
	}
	return r.removeNetwork(ctx, app)
}
