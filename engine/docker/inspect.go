package docker

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// Inspect implements engine.Runtime. A container that does not exist or
// belongs to another instance is ENOTFOUND.
func (r *Runtime) Inspect(ctx context.Context, id string) (*engine.Container, error) {
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return nil, err
	}
	return toContainer(info), nil
}

// inspectOwned inspects a container of this instance.
func (r *Runtime) inspectOwned(ctx context.Context, id string) (container.InspectResponse, error) {
	info, err := r.cli.ContainerInspect(ctx, id)
	if isNotFound(err) {
		return info, notFound(id)
	}
	if err != nil {
		return info, r.wrap("inspect container", err)
	}
	if info.ContainerJSONBase == nil || info.Config == nil || !ownedBy(info.Config.Labels, r.instance) {
		return info, notFound(id)
	}
	return info, nil
}

// Containers implements engine.Runtime: the containers of this instance
// (of app, unless app is ""), in any state, ordered by app, release,
// process and replica. One-off containers (Run) and add-on containers are
// not app processes and are left out.
func (r *Runtime) Containers(ctx context.Context, app string) ([]*engine.Container, error) {
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: scope(r.instance, app)})
	if err != nil {
		return nil, r.wrap("list containers", err)
	}
	out := make([]*engine.Container, 0, len(list))
	for _, s := range list {
		if isOneOff(s.Labels) || isAddon(s.Labels) {
			continue
		}
		c, err := r.Inspect(ctx, s.ID)
		if engine.ErrorCode(err) == engine.ENOTFOUND {
			continue // removed since the listing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sortContainers(out)
	return out, nil
}

// sortContainers orders by app, release, process, replica, then id.
func sortContainers(cs []*engine.Container) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.App != b.App {
			return a.App < b.App
		}
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		if a.Process != b.Process {
			return a.Process < b.Process
		}
		if a.Replica != b.Replica {
			return a.Replica < b.Replica
		}
		return a.ID < b.ID
	})
}

// toContainer maps Docker's view of a container to engine.Container.
func toContainer(info container.InspectResponse) *engine.Container {
	c := identity(info.ID, strings.TrimPrefix(info.Name, "/"), info.Config.Labels)
	c.Image = info.Config.Image
	c.RestartCount = info.RestartCount
	c.CreatedAt = parseTime(info.Created)
	if st := info.State; st != nil {
		c.State = string(st.Status)
		c.Running = st.Running && !st.Restarting
		c.ExitCode = st.ExitCode
		c.StartedAt = parseTime(st.StartedAt)
	}
	if c.Running {
		c.Addr = publishedAddr(info)
	}
	return c
}

// identity is a Container with only its id, name and label fields set.
func identity(id, name string, labels map[string]string) *engine.Container {
	return &engine.Container{
		ID:      id,
		Name:    name,
		App:     labels[dockernames.LabelApp],
		Release: atoi(labels[dockernames.LabelRelease]),
		Process: labels[LabelProcess],
		Replica: atoi(labels[LabelReplica]),
		Limits:  parseLimitsLabel(labels[LabelLimits]),
	}
}

// publishedAddr is the 127.0.0.1 address of the container's published
// port, "" if Docker reports none.
func publishedAddr(info container.InspectResponse) string {
	if info.HostConfig == nil || info.NetworkSettings == nil {
		return ""
	}
	for port := range info.HostConfig.PortBindings {
		for _, b := range info.NetworkSettings.Ports[port] {
			if b.HostIP == "127.0.0.1" && b.HostPort != "" && b.HostPort != "0" {
				return "127.0.0.1:" + b.HostPort
			}
		}
	}
	return ""
}

// parseTime parses Docker's RFC 3339 times; Docker's zero time and
// garbage both give the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// atoi parses a label number; a bad one is 0.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
