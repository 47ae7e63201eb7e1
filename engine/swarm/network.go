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
// Swarm's own address pool) when it is missing, with the app's add-ons on
// it (connectAddons).
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
			return n.ID, r.connectAddons(ctx, app, n.ID)
		}
	}
	resp, err := r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "overlay", Attachable: true,
		Labels: map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: app},
	})
	if err != nil {
		return "", dockerError("create network", err)
	}
	return resp.ID, r.connectAddons(ctx, app, resp.ID)
}

// removeNetwork removes app's overlay network, its add-ons taken off it
// first; a missing one is fine. The tasks of removed services may hold it
// a little while: it tries again for a few seconds.
func (r *Runtime) removeNetwork(ctx context.Context, app string) error {
	name := NetworkName(r.instance, app)
	if err := r.disconnectAddons(ctx, name); err != nil {
		return err
	}
	if err := r.refreshBridges(ctx); err != nil {
		return err
	}
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

// dropOverlays takes the add-ons off this instance's overlay networks and
// removes those networks, before the swarm is left (which would strand
// them). It logs what fails: leaving goes on.
func (r *Runtime) dropOverlays(ctx context.Context) {
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+r.instance), filters.Arg("driver", "overlay"))
	list, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		r.log.Warn("list overlay networks", "err", err)
		return
	}
	for _, n := range list {
		if err := r.disconnectAddons(ctx, n.ID); err != nil {
			r.log.Warn("disconnect add-ons from overlay", "network", n.Name, "err", err)
		}
		if err := r.cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			r.log.Warn("remove overlay network", "network", n.Name, "err", err)
		}
	}
}
