package docker

import (
	"context"
	"net"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/go-connections/nat"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

var _ engine.AddonRuntime = (*Runtime)(nil)

// Labels of add-on containers and volumes, besides LabelInstance (so the
// add-on backup primitives accept them as this instance's). The code of app
// processes (Containers, Events, garbage collection) leaves out what has
// LabelAddonInstance (isAddon), so it never sees, stops or removes an add-on
// or its data; RemoveApp selects by LabelApp, which add-ons do not carry.
const (
	LabelAddonInstance = "io.quayside.addon.instance"
	LabelAddonApp      = "io.quayside.addon.app"
	LabelAddonName     = "io.quayside.addon.name"
	LabelAddonKind     = "io.quayside.addon.kind"
)

// addonStopGrace is how long a database gets to shut down cleanly.
const addonStopGrace = 30

// AddonContainerName is the Docker name of an add-on's container.
func AddonContainerName(instance, app, name string) string {
	return "qs-" + instance + "-addon-" + app + "-" + name
}

// AddonVolumeName is the Docker name of an add-on's volume called vol.
func AddonVolumeName(instance, vol string) string {
	return "qs-" + instance + "-" + vol
}

// addonLabels are the labels of an add-on's container and volumes.
func (r *Runtime) addonLabels(app, name, kind string) map[string]string {
	return map[string]string{dockernames.LabelInstance: r.instance, LabelAddonInstance: r.instance,
		LabelAddonApp: app, LabelAddonName: name, LabelAddonKind: kind}
}

// isAddon reports whether labels mark an add-on's container.
func isAddon(labels map[string]string) bool {
	return labels[LabelAddonInstance] != ""
}

// StartAddon implements engine.AddonRuntime. The container runs as app
// containers do (docker-init, no-new-privileges, capped logs, the memory
// cap) with the volume mounted, on each app's network under spec.Host,
// published only when spec.ExposeAddr says where.
func (r *Runtime) StartAddon(ctx context.Context, spec engine.AddonSpec) (*engine.AddonContainer, error) {
	if err := validateAddonSpec(spec); err != nil {
		return nil, err
	}
	if err := r.checkImage(ctx, spec.Image); err != nil {
		return nil, err
	}
	fresh, err := r.ensureAddonVolume(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := r.removeAddonContainer(ctx, spec.App, spec.Name); err != nil {
		return nil, err
	}
	id, err := r.createAddon(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := r.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		r.removeQuietly(id)
		return nil, r.wrap("start add-on container", err)
	}
	r.log.Info("add-on started", "app", spec.App, "addon", spec.Name, "image", spec.Image, "new_volume", fresh)
	c, err := r.InspectAddon(ctx, spec.App, spec.Name)
	if err != nil {
		return nil, err
	}
	c.NewVolume = fresh
	return c, nil
}

// validateAddonSpec rejects specs that would make bad names or publish widely.
func validateAddonSpec(spec engine.AddonSpec) error {
	if !nameRe.MatchString(spec.App) || engine.ValidateAddonName(spec.Name) != nil || len(spec.Networks) == 0 {
		return engine.Errorf(engine.EINVALID, "add-on %q of %q is not valid for Docker names", spec.Name, spec.App)
	}
	for _, app := range spec.Networks {
		if !nameRe.MatchString(app) {
			return engine.Errorf(engine.EINVALID, "app name %q is not valid for Docker names", app)
		}
	}
	if spec.ExposeAddr != "" {
		if _, _, err := net.SplitHostPort(spec.ExposeAddr); err != nil {
			return engine.Errorf(engine.EINVALID, "expose address %q is not IP:PORT", spec.ExposeAddr)
		}
	}
	return nil
}

// ensureAddonVolume creates the add-on's volume unless it exists and
// reports whether it did. Docker returns an existing volume of that name
// untouched (even when two creates race), so data is never lost.
func (r *Runtime) ensureAddonVolume(ctx context.Context, spec engine.AddonSpec) (bool, error) {
	name := AddonVolumeName(r.instance, spec.Volume)
	_, err := r.cli.VolumeInspect(ctx, name)
	if err == nil {
		return false, nil
	}
	if !isNotFound(err) {
		return false, r.wrap("inspect add-on volume", err)
	}
	_, err = r.cli.VolumeCreate(ctx, volume.CreateOptions{
		Name: name, Driver: "local", Labels: r.addonLabels(spec.App, spec.Name, spec.Kind),
	})
	return err == nil, r.wrap("create add-on volume", err)
}

// createAddon creates the container of spec on its first network and
// connects it to the others.
func (r *Runtime) createAddon(ctx context.Context, spec engine.AddonSpec) (string, error) {
	first, err := r.ensureNetwork(ctx, spec.Networks[0])
	if err != nil {
		return "", err
	}
	cfg := &container.Config{
		Image: spec.Image, Cmd: spec.Cmd, Env: envList(spec.Env), Hostname: spec.Host,
		Labels: r.addonLabels(spec.App, spec.Name, spec.Kind),
	}
	host := baseHostConfig(first, engine.Limits{MemoryBytes: spec.MemoryBytes})
	host.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}
	host.Mounts = []mount.Mount{{Type: mount.TypeVolume, Source: AddonVolumeName(r.instance, spec.Volume), Target: spec.DataDir}}
	// Postgres needs a larger /dev/shm than Docker's 64 MB for big queries.
	host.ShmSize = 256 << 20
	if spec.ExposeAddr != "" {
		ip, port, _ := net.SplitHostPort(spec.ExposeAddr)
		cfg.ExposedPorts = nat.PortSet{tcpPort(spec.Port): struct{}{}}
		host.PortBindings = nat.PortMap{tcpPort(spec.Port): {{HostIP: ip, HostPort: port}}}
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{first: {Aliases: []string{spec.Host}}}}
	resp, err := r.cli.ContainerCreate(ctx, cfg, host, netCfg, nil, AddonContainerName(r.instance, spec.App, spec.Name))
	if err != nil {
		return "", r.wrap("create add-on container", err)
	}
	for _, app := range spec.Networks[1:] {
		if err := r.ConnectAddon(ctx, spec.App, spec.Name, app); err != nil {
			r.removeQuietly(resp.ID)
			return "", err
		}
	}
	return resp.ID, nil
}

// InspectAddon implements engine.AddonRuntime.
func (r *Runtime) InspectAddon(ctx context.Context, app, name string) (*engine.AddonContainer, error) {
	info, err := r.inspectAddon(ctx, app, name)
	if err != nil {
		return nil, err
	}
	c := &engine.AddonContainer{ID: info.ID, Image: info.Config.Image}
	if st := info.State; st != nil {
		c.State, c.Running = string(st.Status), st.Running && !st.Restarting
		c.StartedAt = parseTime(st.StartedAt)
	}
	if info.NetworkSettings != nil {
		for n := range info.NetworkSettings.Networks {
			if a, ok := strings.CutPrefix(n, NetworkName(r.instance, "")); ok {
				c.Networks = append(c.Networks, a)
			}
		}
	}
	if c.Running {
		c.MemoryBytes = r.addonMemory(ctx, info.ID)
	}
	return c, nil
}

// inspectAddon inspects the add-on's container if it is this instance's.
func (r *Runtime) inspectAddon(ctx context.Context, app, name string) (container.InspectResponse, error) {
	info, err := r.cli.ContainerInspect(ctx, AddonContainerName(r.instance, app, name))
	if isNotFound(err) {
		return info, engine.Errorf(engine.ENOTFOUND, "add-on %s of %s has no container", name, app)
	}
	if err != nil {
		return info, r.wrap("inspect add-on container", err)
	}
	if info.ContainerJSONBase == nil || info.Config == nil || info.Config.Labels[LabelAddonInstance] != r.instance {
		return info, engine.Errorf(engine.ENOTFOUND, "add-on %s of %s has no container", name, app)
	}
	return info, nil
}

// addonMemory is the memory a container uses now, as the docker CLI counts
// it; 0 when Docker does not say.
func (r *Runtime) addonMemory(ctx context.Context, id string) int64 {
	s, err := r.readStats(ctx, id)
	if err != nil {
		return 0
	}
	return int64(memoryUsed(s.MemoryStats))
}

// removeAddonContainer stops (cleanly, with a grace period) and removes
// the add-on's container if there is one.
func (r *Runtime) removeAddonContainer(ctx context.Context, app, name string) error {
	info, err := r.inspectAddon(ctx, app, name)
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	grace := addonStopGrace
	if err := r.cli.ContainerStop(ctx, info.ID, container.StopOptions{Timeout: &grace}); err != nil && !isNotFound(err) {
		return r.wrap("stop add-on container", err)
	}
	return r.wrap("remove add-on container", r.forceRemove(ctx, info.ID))
}

// RemoveAddon implements engine.AddonRuntime.
func (r *Runtime) RemoveAddon(ctx context.Context, app, name string, volumes ...string) error {
	if err := r.removeAddonContainer(ctx, app, name); err != nil {
		return err
	}
	for _, v := range volumes {
		err := r.cli.VolumeRemove(ctx, AddonVolumeName(r.instance, v), false)
		if err != nil && !isNotFound(err) {
			return r.wrap("remove add-on volume", err)
		}
		r.log.Info("add-on volume removed", "app", app, "addon", name, "volume", v)
	}
	return nil
}

// RemoveAddonVolume implements engine.AddonRuntime.
func (r *Runtime) RemoveAddonVolume(ctx context.Context, app, name, vol string) error {
	err := r.cli.VolumeRemove(ctx, AddonVolumeName(r.instance, vol), false)
	switch {
	case err == nil:
		r.log.Info("add-on volume removed", "app", app, "addon", name, "volume", vol)
		return nil
	case isNotFound(err):
		return nil
	case cerrdefs.IsConflict(err):
		return engine.Errorf(engine.ECONFLICT, "volume %s of add-on %s is in use by a container: it stays", vol, name)
	}
	return r.wrap("remove add-on volume", err)
}

// ConnectAddon implements engine.AddonRuntime.
func (r *Runtime) ConnectAddon(ctx context.Context, owner, name, app string) error {
	info, err := r.inspectAddon(ctx, owner, name)
	if err != nil {
		return err
	}
	net, err := r.ensureNetwork(ctx, app)
	if err != nil {
		return err
	}
	if _, on := info.NetworkSettings.Networks[net]; on {
		return nil
	}
	err = r.cli.NetworkConnect(ctx, net, info.ID, &network.EndpointSettings{Aliases: []string{engine.AddonHost(owner, name)}})
	return r.wrap("connect add-on to "+app, err)
}

// DisconnectAddon implements engine.AddonRuntime.
func (r *Runtime) DisconnectAddon(ctx context.Context, owner, name, app string) error {
	info, err := r.inspectAddon(ctx, owner, name)
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	net := NetworkName(r.instance, app)
	if _, on := info.NetworkSettings.Networks[net]; !on {
		return nil
	}
	err = r.cli.NetworkDisconnect(ctx, net, info.ID, true)
	if isNotFound(err) {
		return nil
	}
	return r.wrap("disconnect add-on from "+app, err)
}

// VolumeSize implements engine.AddonRuntime. Docker computes volume sizes
// only for all volumes at once, so this reads the one it needs from them.
func (r *Runtime) VolumeSize(ctx context.Context, vol string) (int64, error) {
	f := filters.NewArgs(filters.Arg("label", LabelAddonInstance+"="+r.instance))
	list, err := r.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return 0, r.wrap("list add-on volumes", err)
	}
	name := AddonVolumeName(r.instance, vol)
	for _, v := range list.Volumes {
		if v.Name == name && v.UsageData != nil && v.UsageData.Size > 0 {
			return v.UsageData.Size, nil
		}
	}
	return r.volumeDiskUsage(ctx, name)
}

// volumeDiskUsage reads a volume's size from Docker's disk usage report.
func (r *Runtime) volumeDiskUsage(ctx context.Context, name string) (int64, error) {
	du, err := r.diskUsage(ctx, "volume")
	if err != nil {
		return 0, err
	}
	for _, v := range du.Volumes {
		if v != nil && v.Name == name && v.UsageData != nil {
			return v.UsageData.Size, nil
		}
	}
	return 0, nil
}
