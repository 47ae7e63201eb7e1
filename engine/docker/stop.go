package docker

import (
	"context"
	"math"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/quayside/quayside/engine"
)

// Stop implements engine.Runtime: SIGTERM (through docker-init), SIGKILL
// after grace, then removal. A container that is gone, or that belongs to
// another instance, is left alone and is not an error.
func (r *Runtime) Stop(ctx context.Context, id string, grace time.Duration) error {
	info, err := r.inspectOwned(ctx, id)
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	timeout := graceSeconds(grace)
	err = r.cli.ContainerStop(ctx, info.ID, container.StopOptions{Timeout: &timeout})
	if err != nil && !isNotFound(err) {
		return r.wrap("stop container", err)
	}
	if err := r.forceRemove(ctx, info.ID); err != nil {
		return r.wrap("remove container", err)
	}
	r.log.Info("container stopped", "name", info.Name, "id", info.ID[:12])
	return nil
}

// forceRemove kills and removes a container. One that is gone, or that
// someone else is removing already (Run and Stop may race), is no error.
func (r *Runtime) forceRemove(ctx context.Context, id string) error {
	err := r.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
	if err == nil || isNotFound(err) || removalInProgress(err) {
		return nil
	}
	return err
}

// removalInProgress reports whether err says that the container is being
// removed already.
func removalInProgress(err error) bool {
	return cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")
}

// graceSeconds rounds grace up to whole seconds, as Docker wants them.
func graceSeconds(grace time.Duration) int {
	if grace <= 0 {
		return 0
	}
	return int(math.Ceil(grace.Seconds()))
}
