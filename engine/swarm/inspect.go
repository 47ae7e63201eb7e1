package swarm

import (
	"context"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/internal/dockernames"
)

// containerIDRe matches Docker's container ids; service ids are shorter.
var containerIDRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// isService reports whether id names a service rather than a container.
func isService(id string) bool { return !containerIDRe.MatchString(id) }

// Inspect implements engine.Runtime: a plain container, or the replica a
// service runs (see inspectService).
func (r *Runtime) Inspect(ctx context.Context, id string) (*engine.Container, error) {
	if !isService(id) {
		return r.Runtime.Inspect(ctx, id)
	}
	c, _, err := r.inspectService(ctx, id)
	return c, err
}

// inspectService returns the replica of service id as its current task
// shows it, and Swarm's last word on why a task does not run. A service
// of another instance is ENOTFOUND.
func (r *Runtime) inspectService(ctx context.Context, id string) (*engine.Container, string, error) {
	svc, _, err := r.cli.ServiceInspectWithRaw(ctx, id, swarm.ServiceInspectOptions{})
	if cerrdefs.IsNotFound(err) || err == nil && !ownedBy(svc.Spec.Labels, r.instance) {
		return nil, "", engine.Errorf(engine.ENOTFOUND, "no replica %s", id)
	}
	if err != nil {
		return nil, "", dockerError("inspect service", err)
	}
	tasks, err := r.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc.ID))})
	if err != nil {
		return nil, "", dockerError("list tasks", err)
	}
	return r.toContainer(ctx, svc, tasks)
}

// toContainer is the replica of svc as its current task shows it.
func (r *Runtime) toContainer(ctx context.Context, svc swarm.Service, tasks []swarm.Task) (*engine.Container, string, error) {
	c := docker.Identity(svc.ID, svc.Spec.Name, svc.Spec.Labels)
	if cs := svc.Spec.TaskTemplate.ContainerSpec; cs != nil {
		c.Image = cs.Image
	}
	c.CreatedAt = svc.CreatedAt
	t := currentTask(tasks)
	if t == nil {
		c.State = "restarting"
		return c, "", nil
	}
	c.RestartCount = max(len(tasks)-1, 0)
	c.State = taskState(t.Status.State)
	c.Running = t.Status.State == swarm.TaskStateRunning
	if st := t.Status.ContainerStatus; st != nil {
		c.ExitCode = st.ExitCode
	}
	if c.Running {
		c.StartedAt = t.Status.Timestamp
	}
	n, err := r.node(ctx, t.NodeID)
	if err != nil {
		return nil, "", err
	}
	c.Node = n.Description.Hostname
	if c.Running {
		c.Addr = taskAddr(t, n)
	}
	return c, why(t), nil
}

// why is Swarm's reason a task does not run.
func why(t *swarm.Task) string {
	return strings.TrimSpace(strings.Trim(t.Status.Err+": "+t.Status.Message, ": "))
}

// currentTask is the task that runs, or is to run, the replica: the newest
// one Swarm wants running, else the newest.
func currentTask(tasks []swarm.Task) *swarm.Task {
	if len(tasks) == 0 {
		return nil
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].CreatedAt.After(tasks[j].CreatedAt) })
	for i := range tasks {
		if tasks[i].DesiredState == swarm.TaskStateRunning {
			return &tasks[i]
		}
	}
	return &tasks[0]
}

// taskState maps a task state onto a container's: the states before
// running are "restarting" (the engine keeps such a replica, as Docker
// restarts a container), ended ones "exited".
func taskState(s swarm.TaskState) string {
	switch s {
	case swarm.TaskStateRunning:
		return "running"
	case swarm.TaskStateFailed:
		return string(swarm.TaskStateFailed)
	case swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateRejected,
		swarm.TaskStateOrphaned, swarm.TaskStateRemove:
		return "exited"
	}
	return "restarting"
}

// taskAddr is where the task's published port answers: the address of
// its node (host-mode ports listen on every address of the node); ""
// without a port.
func taskAddr(t *swarm.Task, n swarm.Node) string {
	for _, p := range t.Status.PortStatus.Ports {
		if p.PublishMode != swarm.PortConfigPublishModeHost || p.PublishedPort == 0 {
			continue
		}
		return hostPort(nodeAddr(n), p.PublishedPort)
	}
	return ""
}

// nodeAddr is the address a node's published ports answer at: its
// reported address, else (a manager may report 0.0.0.0) the address it
// manages from, else loopback.
func nodeAddr(n swarm.Node) string {
	if a := n.Status.Addr; a != "" && a != "0.0.0.0" {
		return a
	}
	if m := n.ManagerStatus; m != nil {
		if host, _, err := net.SplitHostPort(m.Addr); err == nil && host != "0.0.0.0" {
			return host
		}
	}
	return "127.0.0.1"
}

// hostPort joins host and port.
func hostPort(host string, port uint32) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.FormatUint(uint64(port), 10)
}

// node inspects a node.
func (r *Runtime) node(ctx context.Context, id string) (swarm.Node, error) {
	if id == "" {
		return swarm.Node{}, nil
	}
	n, _, err := r.cli.NodeInspectWithRaw(ctx, id)
	if cerrdefs.IsNotFound(err) {
		return swarm.Node{}, nil
	}
	if err != nil {
		return n, dockerError("inspect node", err)
	}
	return n, nil
}

// Containers implements engine.Runtime: the plain containers (the task
// containers of services on this server left out) and, in a cluster, one
// replica per service of this instance.
func (r *Runtime) Containers(ctx context.Context, app string) ([]*engine.Container, error) {
	local, err := r.Runtime.Containers(ctx, app)
	if err != nil {
		return nil, err
	}
	out := make([]*engine.Container, 0, len(local))
	for _, c := range local {
		if !strings.HasPrefix(c.Name, servicePrefix) {
			out = append(out, c)
		}
	}
	svcs, err := r.services(ctx, app)
	if err != nil {
		return nil, err
	}
	for _, s := range svcs {
		c, err := r.Inspect(ctx, s.ID)
		if engine.ErrorCode(err) == engine.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// services lists this instance's services (of app unless ""), none when
// there is no swarm of this instance.
func (r *Runtime) services(ctx context.Context, app string) ([]swarm.Service, error) {
	m, err := r.current(ctx)
	if err != nil || !m.active {
		return nil, err
	}
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+r.instance))
	if app != "" {
		f.Add("label", dockernames.LabelApp+"="+app)
	}
	list, err := r.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: f})
	if err != nil {
		return nil, dockerError("list services", err)
	}
	return list, nil
}
