package engine

import (
	"context"
	"time"
)

// ClusterStatus is the state of the cluster as its manager sees it.
type ClusterStatus struct {
	// Enabled is true once `cluster init` made this server a manager:
	// new releases then run as services, one per process type replica.
	Enabled bool
	// AdvertiseAddr is the address other nodes reach the manager at.
	AdvertiseAddr string
	// NodeID is the manager's own node.
	NodeID string
	Nodes  int
	Since  time.Time
}

// JoinInfo is what a new node needs to join the cluster as a worker.
type JoinInfo struct {
	// Token is the worker join token: a secret.
	Token string
	// Addr is the manager's swarm address (host, without the port).
	Addr string
	// RegistryFlags are the flags of `quayside cluster join` that make the
	// node trust Quayside's registry; "" when there is no registry.
	RegistryFlags string
}

// Node availabilities.
const (
	NodeActive = "active"
	NodePause  = "pause"
	NodeDrain  = "drain"
)

// ClusterNode is one node of the cluster.
type ClusterNode struct {
	ID       string
	Hostname string
	Addr     string
	// Role is "manager" or "worker".
	Role string
	// State is ready, down, unknown or disconnected.
	State string
	// Availability is active, pause or drain.
	Availability string
	// Self is true for the manager Quayside runs on.
	Self bool
	// NanoCPUs and MemoryBytes are what the node offers.
	NanoCPUs    int64
	MemoryBytes int64
	// Tasks are "app/process.replica" of the replicas running there.
	Tasks []string
}

// Cluster turns the server's Docker Engine into a Swarm manager and back.
// Implementations own only the swarm they made (labelled with the
// instance); every method but Status returns ECONFLICT when the cluster is
// not in the state the method needs.
type Cluster interface {
	// Status says whether this server manages a cluster.
	Status(ctx context.Context) (ClusterStatus, error)
	// Init makes the Docker Engine a single-node swarm manager that
	// advertises addr (an address of this host, validated by the caller).
	Init(ctx context.Context, addr string) (ClusterStatus, error)
	// JoinInfo returns what a new node needs to join as a worker.
	JoinInfo(ctx context.Context) (JoinInfo, error)
	// RotateJoinToken replaces the worker join token: the old one joins
	// no new node from then on, and the nodes already joined stay.
	RotateJoinToken(ctx context.Context) error
	// Nodes lists the nodes, with the replicas that run on each.
	Nodes(ctx context.Context) ([]ClusterNode, error)
	// SetAvailability sets a node (ID or hostname) to active, pause or
	// drain; ENOTFOUND for an unknown node.
	SetAvailability(ctx context.Context, node, availability string) (ClusterNode, error)
	// Hold makes new replicas start as plain containers on this server
	// again (on) or as services (off), whatever the swarm's state; Leave
	// needs it on first, so that apps move back before the swarm goes.
	Hold(on bool)
	// Leave leaves the swarm (it must have no Quayside service left) and
	// removes what the swarm left behind on this server.
	Leave(ctx context.Context) error
}

// PlacementStore keeps the placement constraints of apps.
type PlacementStore interface {
	// Placement returns app's constraints; none is an empty list.
	Placement(ctx context.Context, app string) ([]string, error)
	// SetPlacement replaces app's constraints; an empty list removes them.
	SetPlacement(ctx context.Context, app string, constraints []string) error
}
