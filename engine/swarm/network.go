package swarm

import (
	"context"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/quayside/quayside/internal/dockernames"
)

// ensureNetwork returns the id of app's overlay network, creating it (from
// Swarm's own address pool) when it is missing.
func (r *Runtime) ensureNetwork(ctx context.Context, app string) (string, error) {
	r.netMu.Lock()
	defer r.netMu.Unlock()
	name := NetworkName(r.instance, app)
	list, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return "", dockerError("list networks", err)
	}
	for _, n := range list {
		if n.Name == name {
			return n.ID, nil
		}
	}
	resp, err := r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "overlay", Attachable: true,
		Labels: map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: app},
	})
	if err != nil {
		return "", dockerError("create network", err)
	}
	return resp.ID, nil
}

// removeNetwork removes app's overlay network; a missing one is fine. The
// tasks of removed services may hold it a little while: it tries again
// for a few seconds.
func (r *Runtime) removeNetwork(ctx context.Context, app string) error {
	name := NetworkName(r.instance, app)
	var err error
	for range 20 {
		err = r.cli.NetworkRemove(ctx, name)
		if err == nil || cerrdefs.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return dockerError("remove network", err)
}
