package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
)

// Audit actions of the cluster.
const (
	AuditClusterInit      = "cluster.init"
	AuditClusterLeave     = "cluster.leave"
	AuditClusterNode      = "cluster.node"
	AuditClusterPlacement = "cluster.placement"
	AuditClusterRotate    = "cluster.rotate-token"
)

// cluster returns the configured Cluster, or ENOTIMPLEMENTED.
func (e *Engine) cluster() (Cluster, error) {
	if e.cfg.Cluster == nil {
		return nil, Errorf(ENOTIMPLEMENTED, "this server runs without cluster support")
	}
	return e.cfg.Cluster, nil
}

// ClusterStatus says whether this server manages a cluster. Server admins
// only.
func (e *Engine) ClusterStatus(ctx context.Context) (ClusterStatus, error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return ClusterStatus{}, err
	}
	return c.Status(ctx)
}

// clusterFor authorizes a cluster command (server admins only) and returns
// the Cluster.
func (e *Engine) clusterFor(ctx context.Context) (Cluster, error) {
	if err := e.authorize(ctx, ActServer, ""); err != nil {
		return nil, err
	}
	return e.cluster()
}

// InitCluster makes this server the manager of a one-node cluster that
// advertises addr (an IP address of this host; "" picks the address of the
// default route's interface when there is exactly one candidate). Apps
// move onto services at their next deploy. Server admins only.
func (e *Engine) InitCluster(ctx context.Context, addr string) (st ClusterStatus, err error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return st, err
	}
	defer func() { e.audit(ctx, AuditClusterInit, "", addr, "", err) }()
	if addr, err = advertiseAddr(addr, localAddrs); err != nil {
		return st, err
	}
	c.Hold(false)
	return c.Init(ctx, addr)
}

// localAddrs lists the IP addresses of this host's interfaces.
func localAddrs() ([]net.IP, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("list interface addresses: %w", err)
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	return ips, nil
}

// advertiseAddr checks that addr is an IP address, or picks one when addr
// is "": the only non-loopback IPv4 address of this host, else EINVALID
// asking for --advertise-addr. Whether a given address belongs to the
// Docker host is for the Cluster to find out (Docker listens on it).
func advertiseAddr(addr string, list func() ([]net.IP, error)) (string, error) {
	if addr == "" {
		ips, err := list()
		if err != nil {
			return "", err
		}
		return pickAddr(ips)
	}
	ip := net.ParseIP(strings.TrimSpace(addr))
	if ip == nil || ip.IsUnspecified() || ip.IsMulticast() {
		return "", FieldError("advertise_addr", "%q is not an IP address of this server: give the address other nodes reach it at, such as 10.0.0.5", PlainText(addr))
	}
	return ip.String(), nil
}

// pickAddr returns the only non-loopback IPv4 address among ips.
func pickAddr(ips []net.IP) (string, error) {
	var cands []net.IP
	for _, ip := range ips {
		if ip.To4() != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
			cands = append(cands, ip)
		}
	}
	if len(cands) == 1 {
		return cands[0].String(), nil
	}
	return "", FieldError("advertise_addr", "choose the address other nodes reach this server at with --advertise-addr: one of %s", listIPs(ips))
}

// listIPs joins ips for a message.
func listIPs(ips []net.IP) string {
	s := make([]string, 0, len(ips))
	for _, ip := range ips {
		s = append(s, ip.String())
	}
	return strings.Join(s, ", ")
}

// ClusterJoinCommand returns the command that joins a new node as a worker:
// `quayside cluster join` with the registry's flags when Quayside runs a
// registry, else `docker swarm join`. It carries the join token: server
// admins only, never logged or audited with it.
func (e *Engine) ClusterJoinCommand(ctx context.Context) (string, error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return "", err
	}
	j, err := c.JoinInfo(ctx)
	if err != nil {
		return "", err
	}
	return joinCommand(j), nil
}

// RotateJoinToken replaces the worker join token and returns the new join
// command: the old token joins no new node from then on, and the nodes
// already in the cluster keep working (Swarm's semantics). Audited without
// the token. Server admins only.
func (e *Engine) RotateJoinToken(ctx context.Context) (cmd string, err error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return "", err
	}
	defer func() { e.audit(ctx, AuditClusterRotate, "", "worker", "", err) }()
	if err = c.RotateJoinToken(ctx); err != nil {
		return "", err
	}
	j, err := c.JoinInfo(ctx)
	if err != nil {
		return "", err
	}
	return joinCommand(j), nil
}

// joinCommand is the command of j.
func joinCommand(j JoinInfo) string {
	manager := net.JoinHostPort(j.Addr, "2377")
	if j.RegistryFlags == "" {
		return fmt.Sprintf("docker swarm join --token %s %s", j.Token, manager)
	}
	return fmt.Sprintf("quayside cluster join %s --token %s %s", manager, j.Token, j.RegistryFlags)
}

// ClusterNodes lists the nodes of the cluster. Server admins only.
func (e *Engine) ClusterNodes(ctx context.Context) ([]ClusterNode, error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return nil, err
	}
	return c.Nodes(ctx)
}

// ActivateNode lets a node take replicas again. Server admins only.
func (e *Engine) ActivateNode(ctx context.Context, node string) (n ClusterNode, err error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return n, err
	}
	defer func() { e.audit(ctx, AuditClusterNode, "", node, NodeActive, err) }()
	return c.SetAvailability(ctx, node, NodeActive)
}

// DrainNode moves every replica off node with no downtime: the node stops
// taking new replicas, each app's replicas there are replaced by
// health-checked ones elsewhere before the old ones are drained and
// stopped, and the node is then set to drain. The last active node cannot
// be drained (the apps would stop). Server admins only.
func (e *Engine) DrainNode(ctx context.Context, node string, w io.Writer) (n ClusterNode, err error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return n, err
	}
	defer func() { e.audit(ctx, AuditClusterNode, "", node, NodeDrain, err) }()
	out := newProgress(NewCleanWriter(w))
	if n, err = e.checkDrainable(ctx, c, node); err != nil {
		return n, err
	}
	if _, err = c.SetAvailability(ctx, n.ID, NodePause); err != nil {
		return n, err
	}
	if err = e.moveAll(ctx, out, func(ct *Container) bool { return ct.Node == n.Hostname }); err != nil {
		return n, err
	}
	return c.SetAvailability(ctx, n.ID, NodeDrain)
}

// checkDrainable finds node and refuses to drain the last active one.
func (e *Engine) checkDrainable(ctx context.Context, c Cluster, node string) (ClusterNode, error) {
	nodes, err := c.Nodes(ctx)
	if err != nil {
		return ClusterNode{}, err
	}
	var found *ClusterNode
	active := 0
	for i, n := range nodes {
		if n.ID == node || n.Hostname == node {
			found = &nodes[i]
		}
		if n.Availability == NodeActive && n.State == "ready" {
			active++
		}
	}
	switch {
	case found == nil:
		return ClusterNode{}, Errorf(ENOTFOUND, "no node %q in the cluster: see quayside cluster nodes", node)
	case found.Availability == NodeActive && active <= 1:
		return *found, Errorf(ECONFLICT, "%s is the only active node: draining it would stop every app; join another node first", found.Hostname)
	}
	return *found, nil
}

// LeaveCluster moves every app back onto plain containers of this server
// (health-gated, with no downtime), then leaves the swarm. When an app
// cannot move, the cluster stays and the error names the app. Server
// admins only.
func (e *Engine) LeaveCluster(ctx context.Context, w io.Writer) (err error) {
	c, err := e.clusterFor(ctx)
	if err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditClusterLeave, "", "", "", err) }()
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if !st.Enabled {
		return Errorf(ECONFLICT, "this server manages no cluster: nothing to leave")
	}
	out := newProgress(NewCleanWriter(w))
	c.Hold(true)
	if err := e.moveAll(ctx, out, func(ct *Container) bool { return ct.Node != "" }); err != nil {
		c.Hold(false)
		return err
	}
	out.Step("Leaving the swarm")
	if err := c.Leave(ctx); err != nil {
		c.Hold(false)
		return err
	}
	return nil
}
