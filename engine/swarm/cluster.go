package swarm

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// gwbridge is the bridge Swarm makes on every node and leaves behind.
const gwbridge = "docker_gwbridge"

// Status implements engine.Cluster.
func (r *Runtime) Status(ctx context.Context) (engine.ClusterStatus, error) {
	r.forget()
	m, err := r.current(ctx)
	if err != nil || !m.active {
		return engine.ClusterStatus{}, err
	}
	info, err := r.cli.Info(ctx)
	if err != nil {
		return engine.ClusterStatus{}, unavailable("read docker info", err)
	}
	sw, err := r.cli.SwarmInspect(ctx)
	if err != nil {
		return engine.ClusterStatus{}, dockerError("inspect swarm", err)
	}
	return engine.ClusterStatus{Enabled: true, AdvertiseAddr: info.Swarm.NodeAddr,
		NodeID: info.Swarm.NodeID, Nodes: info.Swarm.Nodes, Since: sw.CreatedAt}, nil
}

// Init implements engine.Cluster: a swarm labelled with the instance.
// A Docker Engine that is already in a swarm is ECONFLICT.
func (r *Runtime) Init(ctx context.Context, addr string) (engine.ClusterStatus, error) {
	info, err := r.cli.Info(ctx)
	if err != nil {
		return engine.ClusterStatus{}, unavailable("read docker info", err)
	}
	if st := info.Swarm.LocalNodeState; st != swarm.LocalNodeStateInactive {
		if s, _ := r.Status(ctx); s.Enabled {
			return s, engine.Errorf(engine.ECONFLICT, "this server already manages a cluster (advertised at %s): see quayside cluster nodes", s.AdvertiseAddr)
		}
		return engine.ClusterStatus{}, engine.Errorf(engine.ECONFLICT, "Docker on this server is already in a swarm Quayside did not make (state %s): leave it with `docker swarm leave` first", st)
	}
	_, err = r.cli.SwarmInit(ctx, swarm.InitRequest{
		ListenAddr: net.JoinHostPort(addr, "2377"), AdvertiseAddr: addr,
		Spec: swarm.Spec{Annotations: swarm.Annotations{Labels: map[string]string{LabelSwarm: r.instance}}},
	})
	if err != nil && strings.Contains(err.Error(), "cannot assign requested address") {
		return engine.ClusterStatus{}, engine.Wrapf(err, engine.EINVALID, "%s is not an address of this server: give one of its own addresses with --advertise-addr", addr)
	}
	if err != nil {
		return engine.ClusterStatus{}, dockerError("init swarm", err)
	}
	r.log.Info("swarm initialised", "advertise", addr)
	if _, err := r.registry(ctx); err != nil { // the first deploy tries again, and says why
		r.log.Warn("registry did not start", "err", err)
	}
	return r.Status(ctx)
}

// ours returns the swarm's state, ECONFLICT when this server manages no
// swarm of this instance.
func (r *Runtime) ours(ctx context.Context) (mode, error) {
	r.forget()
	m, err := r.current(ctx)
	if err == nil && !m.active {
		err = engine.Errorf(engine.ECONFLICT, "this server manages no cluster: run quayside cluster init first")
	}
	return m, err
}

// JoinInfo implements engine.Cluster. It starts the registry if need be,
// so that the flags to trust it are part of the answer.
func (r *Runtime) JoinInfo(ctx context.Context) (engine.JoinInfo, error) {
	if _, err := r.ours(ctx); err != nil {
		return engine.JoinInfo{}, err
	}
	sw, err := r.cli.SwarmInspect(ctx)
	if err != nil {
		return engine.JoinInfo{}, dockerError("inspect swarm", err)
	}
	info, err := r.cli.Info(ctx)
	if err != nil {
		return engine.JoinInfo{}, unavailable("read docker info", err)
	}
	j := engine.JoinInfo{Token: sw.JoinTokens.Worker, Addr: info.Swarm.NodeAddr}
	reg, err := r.registry(ctx)
	if err != nil {
		return engine.JoinInfo{}, err
	}
	if reg != nil {
		j.RegistryFlags = reg.JoinFlags()
	}
	return j, nil
}

// rotateTries bounds the attempts when another change to the swarm's spec
// lands between the inspect and the update.
const rotateTries = 3

// RotateJoinToken implements engine.Cluster: a swarm update with the
// current version and RotateWorkerToken, the spec unchanged.
func (r *Runtime) RotateJoinToken(ctx context.Context) error {
	if _, err := r.ours(ctx); err != nil {
		return err
	}
	var err error
	for range rotateTries {
		var sw swarm.Swarm
		if sw, err = r.cli.SwarmInspect(ctx); err != nil {
			return dockerError("inspect swarm", err)
		}
		err = r.cli.SwarmUpdate(ctx, sw.Version, sw.Spec, swarm.UpdateFlags{RotateWorkerToken: true})
		if err == nil {
			r.log.Info("worker join token rotated")
			return nil
		}
		if !strings.Contains(err.Error(), "out of sequence") {
			break
		}
	}
	return dockerError("rotate the worker join token", err)
}

// Nodes implements engine.Cluster.
func (r *Runtime) Nodes(ctx context.Context) ([]engine.ClusterNode, error) {
	m, err := r.ours(ctx)
	if err != nil {
		return nil, err
	}
	nodes, err := r.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, dockerError("list nodes", err)
	}
	tasks, err := r.tasksByNode(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]engine.ClusterNode, 0, len(nodes))
	for _, n := range nodes {
		cn := toNode(n, m.nodeID)
		cn.Tasks = tasks[n.ID]
		out = append(out, cn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hostname < out[j].Hostname })
	return out, nil
}

// toNode maps a Swarm node.
func toNode(n swarm.Node, self string) engine.ClusterNode {
	return engine.ClusterNode{
		ID: n.ID, Hostname: n.Description.Hostname, Addr: n.Status.Addr,
		Role: string(n.Spec.Role), State: string(n.Status.State),
		Availability: string(n.Spec.Availability), Self: n.ID == self,
		NanoCPUs: n.Description.Resources.NanoCPUs, MemoryBytes: n.Description.Resources.MemoryBytes,
		Tasks: []string{},
	}
}

// tasksByNode names the running replicas of this instance per node.
func (r *Runtime) tasksByNode(ctx context.Context) (map[string][]string, error) {
	f := filters.NewArgs(filters.Arg("desired-state", "running"))
	tasks, err := r.cli.TaskList(ctx, swarm.TaskListOptions{Filters: f})
	if err != nil {
		return nil, dockerError("list tasks", err)
	}
	out := map[string][]string{}
	for _, t := range tasks {
		cs := t.Spec.ContainerSpec
		if cs == nil || !ownedBy(cs.Labels, r.instance) || t.Status.State != swarm.TaskStateRunning {
			continue
		}
		l := cs.Labels
		out[t.NodeID] = append(out[t.NodeID], fmt.Sprintf("%s/%s.%s", l[dockernames.LabelApp], l["io.quayside.process"], l["io.quayside.replica"]))
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, nil
}

// SetAvailability implements engine.Cluster.
func (r *Runtime) SetAvailability(ctx context.Context, node, availability string) (engine.ClusterNode, error) {
	m, err := r.ours(ctx)
	if err != nil {
		return engine.ClusterNode{}, err
	}
	n, err := r.findNode(ctx, node)
	if err != nil {
		return engine.ClusterNode{}, err
	}
	spec := n.Spec
	spec.Availability = swarm.NodeAvailability(availability)
	if err := r.cli.NodeUpdate(ctx, n.ID, n.Version, spec); err != nil {
		return engine.ClusterNode{}, dockerError("update node", err)
	}
	n.Spec = spec
	return toNode(n, m.nodeID), nil
}

// findNode finds a node by id or hostname; ENOTFOUND when none matches.
func (r *Runtime) findNode(ctx context.Context, node string) (swarm.Node, error) {
	nodes, err := r.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return swarm.Node{}, dockerError("list nodes", err)
	}
	for _, n := range nodes {
		if n.ID == node || strings.EqualFold(n.Description.Hostname, node) {
			return n, nil
		}
	}
	return swarm.Node{}, engine.Errorf(engine.ENOTFOUND, "no node %q in the cluster: see quayside cluster nodes", node)
}

// Leave implements engine.Cluster: refused while Quayside services remain;
// then the overlay networks are removed (add-ons taken off them), the
// swarm is left and docker_gwbridge removed.
func (r *Runtime) Leave(ctx context.Context) error {
	if _, err := r.ours(ctx); err != nil {
		return err
	}
	svcs, err := r.services(ctx, "")
	if err != nil {
		return err
	}
	if len(svcs) > 0 {
		return engine.Errorf(engine.ECONFLICT, "%d replicas still run as services (first: %s): they must move back first", len(svcs), svcs[0].Spec.Name)
	}
	r.stopRegistry(ctx)
	r.dropOverlays(ctx)
	if err := r.cli.SwarmLeave(ctx, true); err != nil {
		return dockerError("leave swarm", err)
	}
	r.forget()
	if err := r.refreshBridges(ctx); err != nil {
		r.log.Warn("reconnect add-ons to their bridge networks", "err", err)
	}
	if err := r.cli.NetworkRemove(ctx, gwbridge); err != nil && !cerrdefs.IsNotFound(err) {
		r.log.Warn("remove docker_gwbridge", "err", err)
	}
	return nil
}
