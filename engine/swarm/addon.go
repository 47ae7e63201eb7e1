package swarm

import (
	"context"
	"slices"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
)

var _ engine.AddonRuntime = (*Runtime)(nil)

// Add-ons stay plain containers on this server (the manager), pinned: they
// are never moved to another node. Each one on an app's bridge network is
// also on the app's overlay network (attachable) under the same alias, so
// the app's services reach it wherever they run.

// StartAddon implements engine.AddonRuntime: the plain container, then the
// overlays of its apps that exist.
func (r *Runtime) StartAddon(ctx context.Context, spec engine.AddonSpec) (*engine.AddonContainer, error) {
	c, err := r.Runtime.StartAddon(ctx, spec)
	if err != nil {
		return nil, err
	}
	for _, app := range spec.Networks {
		if err := r.connectOverlay(ctx, spec.App, spec.Name, app); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// ConnectAddon implements engine.AddonRuntime: the app's bridge network,
// and its overlay when there is one.
func (r *Runtime) ConnectAddon(ctx context.Context, owner, name, app string) error {
	if err := r.Runtime.ConnectAddon(ctx, owner, name, app); err != nil {
		return err
	}
	return r.connectOverlay(ctx, owner, name, app)
}

// DisconnectAddon implements engine.AddonRuntime: the overlay first, then
// the bridge network.
func (r *Runtime) DisconnectAddon(ctx context.Context, owner, name, app string) error {
	id, err := r.overlayID(ctx, app)
	if err != nil {
		return err
	}
	ctr, left := docker.AddonContainerName(r.instance, owner, name), false
	if id != "" {
		err := r.cli.NetworkDisconnect(ctx, id, ctr, true)
		if err != nil && !cerrdefs.IsNotFound(err) && !notConnected(err) {
			return dockerError("disconnect add-on from overlay", err)
		}
		left = err == nil
	}
	if err := r.Runtime.DisconnectAddon(ctx, owner, name, app); err != nil || !left {
		return err
	}
	return r.refreshBridges(ctx, ctr)
}

// connectOverlay puts add-on name of owner on app's overlay network when
// that exists; idempotent.
func (r *Runtime) connectOverlay(ctx context.Context, owner, name, app string) error {
	id, err := r.overlayID(ctx, app)
	if err != nil || id == "" {
		return err
	}
	return r.attach(ctx, id, docker.AddonContainerName(r.instance, owner, name), engine.AddonHost(owner, name))
}

// attach connects container ctr to network id under alias; already being
// there is fine.
func (r *Runtime) attach(ctx context.Context, id, ctr, alias string) error {
	err := r.cli.NetworkConnect(ctx, id, ctr, &network.EndpointSettings{Aliases: []string{alias}})
	if err != nil && !cerrdefs.IsConflict(err) && !alreadyConnected(err) {
		return dockerError("connect add-on to overlay", err)
	}
	return nil
}

// overlayID is the id of app's overlay network, "" when there is none.
func (r *Runtime) overlayID(ctx context.Context, app string) (string, error) {
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
	return "", nil
}

// addonsOn lists this instance's add-on containers on network net (a name
// or id; "": all of them).
func (r *Runtime) addonsOn(ctx context.Context, net string) ([]container.Summary, error) {
	f := filters.NewArgs(filters.Arg("label", docker.LabelAddonInstance+"="+r.instance))
	if net != "" {
		f.Add("network", net)
	}
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, dockerError("list add-on containers", err)
	}
	return list, nil
}

// connectAddons puts every add-on on app's bridge network on its overlay
// network id too, under the add-on's alias.
func (r *Runtime) connectAddons(ctx context.Context, app, id string) error {
	list, err := r.addonsOn(ctx, docker.NetworkName(r.instance, app))
	if err != nil {
		return err
	}
	for _, c := range list {
		if onNetwork(c, id) {
			continue
		}
		owner, name := c.Labels[docker.LabelAddonApp], c.Labels[docker.LabelAddonName]
		if err := r.attach(ctx, id, c.ID, engine.AddonHost(owner, name)); err != nil {
			return err
		}
		r.log.Info("add-on connected to overlay", "app", app, "addon", owner+"/"+name)
	}
	return nil
}

// disconnectAddons takes every add-on off overlay network net, so that it
// can be removed (refreshBridges must follow).
func (r *Runtime) disconnectAddons(ctx context.Context, net string) error {
	list, err := r.addonsOn(ctx, net)
	if err != nil {
		return err
	}
	for _, c := range list {
		err := r.cli.NetworkDisconnect(ctx, net, c.ID, true)
		if err != nil && !cerrdefs.IsNotFound(err) && !notConnected(err) {
			return dockerError("disconnect add-on from overlay", err)
		}
	}
	return nil
}

// onNetwork reports whether container c is on the network of id.
func onNetwork(c container.Summary, id string) bool {
	if c.NetworkSettings == nil {
		return false
	}
	for _, n := range c.NetworkSettings.Networks {
		if n != nil && n.NetworkID == id {
			return true
		}
	}
	return false
}

// alreadyConnected reports Docker's answer to connecting a container that
// is already on the network (its status code differs across versions).
func alreadyConnected(err error) bool {
	return err != nil && strings.Contains(err.Error(), "already exists in network")
}

// notConnected reports Docker's answer to disconnecting a container that
// is not on the network.
func notConnected(err error) bool {
	return err != nil && strings.Contains(err.Error(), "is not connected to")
}

// refreshBridges connects each add-on of this instance again to the
// bridge networks it is on: taking a container off an overlay, or leaving
// the swarm, makes Docker forget its names on its other networks (the
// add-on's alias no longer resolves there). The add-on may get a new
// address; open connections to it break once. With only, just the add-on
// container of that name.
func (r *Runtime) refreshBridges(ctx context.Context, only ...string) error {
	list, err := r.addonsOn(ctx, "")
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.NetworkSettings == nil || (len(only) > 0 && !slices.Contains(c.Names, "/"+only[0])) {
			continue
		}
		alias := engine.AddonHost(c.Labels[docker.LabelAddonApp], c.Labels[docker.LabelAddonName])
		for name := range c.NetworkSettings.Networks {
			if !strings.HasPrefix(name, docker.NetworkName(r.instance, "")) {
				continue
			}
			err := r.cli.NetworkDisconnect(ctx, name, c.ID, true)
			if err != nil && !cerrdefs.IsNotFound(err) && !notConnected(err) {
				return dockerError("disconnect add-on from bridge", err)
			}
			if err := r.attach(ctx, name, c.ID, alias); err != nil {
				return err
			}
		}
	}
	return nil
}
