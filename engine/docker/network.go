package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// ensureNetwork creates the app's bridge network unless it exists and
// returns its name. A network created concurrently by someone else counts as
// existing.
func (r *Runtime) ensureNetwork(ctx context.Context, app string) (string, error) {
	name := NetworkName(r.instance, app)
	r.netMu.Lock()
	defer r.netMu.Unlock()
	_, err := r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err == nil {
		return name, nil
	}
	if !isNotFound(err) {
		return "", r.wrap("inspect network", err)
	}
	_, err = r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge",
		Labels: map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: app},
	})
	if err != nil && !cerrdefs.IsConflict(err) {
		return "", r.wrap("create network", err)
	}
	r.log.Debug("network ready", "network", name)
	return name, nil
}

// removeNetworks removes the networks of app; missing ones are fine.
func (r *Runtime) removeNetworks(ctx context.Context, app string) error {
	nets, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: scope(r.instance, app)})
	if err != nil {
		return r.wrap("list networks", err)
	}
	for _, n := range nets {
		if err := r.removeNetwork(ctx, app, n.ID); err != nil {
			return err
		}
	}
	return nil
}

// removeNetwork removes one network of app unless containers still use it.
func (r *Runtime) removeNetwork(ctx context.Context, app, id string) error {
	n, err := r.cli.NetworkInspect(ctx, id, network.InspectOptions{})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return r.wrap("inspect network", err)
	}
	if len(n.Containers) > 0 {
		return engine.Errorf(engine.ECONFLICT,
			"app %s still has %d container(s) on its network %s: stop them before removing the app", app, len(n.Containers), n.Name)
	}
	err = r.cli.NetworkRemove(ctx, id)
	if err != nil && !isNotFound(err) {
		return r.wrap("remove network", err)
	}
	r.log.Info("network removed", "network", n.Name)
	return nil
}
