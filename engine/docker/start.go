package docker

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/quayside/quayside/engine"
)

// Log rotation of every container: at most logMaxFiles files of logMaxSize.
const (
	logMaxSize  = "10m"
	logMaxFiles = "3"
)

// portWait bounds how long Start waits for Docker to report the host port.
const portWait = 3 * time.Second

var (
	nameRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	processRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,29}$`)
)

// Start implements engine.Runtime. The container runs with docker-init as
// PID 1 (so the app gets its signals), no-new-privileges, droppedCaps
// dropped, spec.Limits as its resources (no swap beyond the memory limit),
// restart policy unless-stopped and json-file logs capped at 3 x 10 MB. A
// container that was created but could not start is removed again.
func (r *Runtime) Start(ctx context.Context, spec engine.ContainerSpec) (*engine.Container, error) {
	if err := validateSpec(spec); err != nil {
		return nil, err
	}
	if err := r.checkImage(ctx, spec.Image); err != nil {
		return nil, err
	}
	net, err := r.ensureNetwork(ctx, spec.App)
	if err != nil {
		return nil, err
	}
	id, err := r.create(ctx, spec, net)
	if err != nil {
		return nil, err
	}
	if err := r.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		r.removeQuietly(id)
		return nil, r.wrap("start container", err)
	}
	c, err := r.waitForPort(ctx, id, spec.Port)
	if err != nil {
		r.removeQuietly(id) // the caller never learns its id: do not leak it
		return nil, err
	}
	return c, nil
}

// checkImage returns ENOTFOUND unless the daemon has image.
func (r *Runtime) checkImage(ctx context.Context, image string) error {
	_, err := r.cli.ImageInspect(ctx, image)
	if isNotFound(err) {
		return engine.Wrapf(err, engine.ENOTFOUND, "image %s not found in Docker: build it first", image)
	}
	return r.wrap("inspect image", err)
}

// validateSpec rejects specs that would make invalid names or labels.
func validateSpec(spec engine.ContainerSpec) error {
	if err := validateIdentity(spec); err != nil {
		return err
	}
	switch {
	case spec.Replica < 1:
		return engine.Errorf(engine.EINVALID, "replica numbers start at 1")
	case spec.Port < 0 || spec.Port > 65535:
		return engine.Errorf(engine.EINVALID, "port %d is out of range", spec.Port)
	}
	return nil
}

// validateIdentity checks the fields of spec that name and label every
// container, long-running or one-off.
func validateIdentity(spec engine.ContainerSpec) error {
	switch {
	case !nameRe.MatchString(spec.App):
		return engine.Errorf(engine.EINVALID, "app name %q is not valid for Docker names", spec.App)
	case spec.Image == "":
		return engine.Errorf(engine.EINVALID, "container spec needs an image")
	case !processRe.MatchString(spec.Process):
		return engine.Errorf(engine.EINVALID, "process type %q is not valid: use up to 30 lowercase letters, digits, hyphens and underscores", spec.Process)
	case spec.Release < 1:
		return engine.Errorf(engine.EINVALID, "release numbers start at 1")
	}
	return nil
}

// create creates the container of spec on network net and returns its id.
func (r *Runtime) create(ctx context.Context, spec engine.ContainerSpec, net string) (string, error) {
	name := containerName(r.instance, spec, randomHex(2))
	return r.createContainer(ctx, name, containerConfig(r.instance, spec), hostConfig(spec, net))
}

// droppedCaps are the capabilities Docker grants by default that ordinary
// apps do not need: raw and packet sockets (NET_RAW: forged packets and
// ARP spoofing on the app network), device nodes, audit records, file
// capabilities, chroot and changing capability sets. Apps keep what they
// need to run as root in their image: chown, setuid/setgid to drop to
// another user, kill, and binding ports below 1024.
var droppedCaps = []string{"NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SETPCAP", "SYS_CHROOT"}

// resources turns limits into Docker's; MemorySwap equal to Memory allows
// no swap beyond the memory limit. Zero fields set nothing.
func resources(l engine.Limits) container.Resources {
	var res container.Resources
	if l.MemoryBytes > 0 {
		res.Memory, res.MemorySwap = l.MemoryBytes, l.MemoryBytes
	}
	res.NanoCPUs = l.NanoCPUs
	if l.Pids > 0 {
		pids := l.Pids
		res.PidsLimit = &pids
	}
	return res
}

// createContainer creates a container named name, attached to the network
// host.NetworkMode names, and returns its id.
func (r *Runtime) createContainer(ctx context.Context, name string, cfg *container.Config, host *container.HostConfig) (string, error) {
	net := string(host.NetworkMode)
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: {}}}
	resp, err := r.cli.ContainerCreate(ctx, cfg, host, netCfg, nil, name)
	if err != nil {
		return "", r.wrap("create container", err)
	}
	r.log.Info("container created", "name", name, "id", resp.ID[:12], "image", cfg.Image)
	return resp.ID, nil
}

// containerConfig is the container part of spec.
func containerConfig(instance string, spec engine.ContainerSpec) *container.Config {
	cfg := commandConfig(spec, containerLabels(instance, spec))
	if spec.Port > 0 {
		cfg.ExposedPorts = nat.PortSet{tcpPort(spec.Port): struct{}{}}
	}
	return cfg
}

// commandConfig is what every container of spec runs: its image, command
// and environment, with labels. A nil Entrypoint or Cmd keeps the image's;
// Docker drops the image's Cmd when the entrypoint is overridden.
func commandConfig(spec engine.ContainerSpec, labels map[string]string) *container.Config {
	return &container.Config{
		Image:      spec.Image,
		Entrypoint: spec.Entrypoint,
		Cmd:        spec.Cmd,
		Env:        envList(spec.Env),
		Labels:     labels,
	}
}

// hostConfig is the host part of spec: policies, logs, limits, publishing.
func hostConfig(spec engine.ContainerSpec, net string) *container.HostConfig {
	host := baseHostConfig(net, spec.Limits)
	host.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}
	if spec.Port > 0 {
		host.PortBindings = nat.PortMap{tcpPort(spec.Port): {{HostIP: "127.0.0.1", HostPort: ""}}}
	}
	return host
}

// baseHostConfig is the host part every container gets: the app network,
// capped json-file logs, docker-init as PID 1, no-new-privileges,
// droppedCaps dropped and limits applied. It restarts nothing and
// publishes nothing.
func baseHostConfig(net string, limits engine.Limits) *container.HostConfig {
	useInit := true
	return &container.HostConfig{
		NetworkMode: container.NetworkMode(net),
		LogConfig: container.LogConfig{
			Type:   "json-file",
			Config: map[string]string{"max-size": logMaxSize, "max-file": logMaxFiles},
		},
		Init:        &useInit,
		SecurityOpt: []string{"no-new-privileges:true"},
		CapDrop:     slices.Clone(droppedCaps),
		Resources:   resources(limits),
	}
}

// tcpPort is the nat key of a TCP port.
func tcpPort(port int) nat.Port {
	return nat.Port(strconv.Itoa(port) + "/tcp")
}

// envList turns env into sorted KEY=value entries.
func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	return list
}

// waitForPort inspects the started container until Docker reports its host
// port, it stops running, or portWait passes, and returns the last state.
func (r *Runtime) waitForPort(ctx context.Context, id string, port int) (*engine.Container, error) {
	deadline := time.Now().Add(portWait)
	for {
		c, err := r.Inspect(ctx, id)
		if err != nil || port == 0 || c.Addr != "" || !c.Running || time.Now().After(deadline) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// removeQuietly force-removes a container, even when ctx has ended, and
// only logs failures.
func (r *Runtime) removeQuietly(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.forceRemove(ctx, id); err != nil {
		r.log.Warn("remove container", "id", id, "err", err)
	}
}
