package docker

import (
	"context"
	"errors"
	"strconv"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/subnetpool"
)

// ensureNetwork creates the app's bridge network unless it exists and
// returns its name. A new network gets the first free subnet of the
// runtime's pool; an existing one keeps whatever subnet it has (networks
// made before the pool existed came from Docker's default pools). A network
// created concurrently by someone else counts as existing. When the pool is
// used up the error is an engine.EUNAVAILABLE that says how to widen it.
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
	_, err = subnetpool.Create(ctx, r.cli, r.subnets, name, network.CreateOptions{
		Driver: "bridge",
		Labels: map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: app},
	})
	if full := (*subnetpool.FullError)(nil); errors.As(err, &full) {
		return "", r.poolFull(ctx, app, full)
	}
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

// poolFull is the refusal of a new app network when the pool is used up.
func (r *Runtime) poolFull(ctx context.Context, app string, full *subnetpool.FullError) error {
	apps := "some"
	nets, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: scope(r.instance, "")})
	if err == nil {
		apps = strconv.Itoa(len(nets))
	}
	r.log.Warn("app subnet pool full", "app", app, "pool", full.Pool.String(), "networks", full.Networks)
	wider := full.Pool.Prefix().Bits() - 1
	return engine.Errorf(engine.EUNAVAILABLE,
		"no network address left for app %s: all %d subnets (/%d) of the app subnet pool %s are taken and this server has %s app(s); "+
			"destroy unused apps, or restart the server with --app-subnets (QUAYSIDE_APP_SUBNETS) set to a larger range, "+
			"such as a /%d for %d apps (existing apps keep their networks)",
		app, full.Pool.Size(), subnetpool.SubnetBits, full.Pool, apps, wider, 2*full.Pool.Size())
}
