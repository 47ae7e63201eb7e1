package api

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// ClusterInit is the body of POST /cluster.
type ClusterInit struct {
	// AdvertiseAddr is the IP address of this server that nodes reach it
	// at; "" picks the only non-loopback IPv4 address, if there is one.
	AdvertiseAddr string `json:"advertise_addr"`
}

// Cluster is the state of the cluster this server manages.
type Cluster struct {
	Enabled       bool      `json:"enabled"`
	AdvertiseAddr string    `json:"advertise_addr,omitempty"`
	NodeID        string    `json:"node_id,omitempty"`
	Nodes         int       `json:"nodes"`
	Since         time.Time `json:"since,omitzero"`
}

// JoinCommand is what to run on a new node to join it as a worker. It
// carries the join token: only server admins get it.
type JoinCommand struct {
	Command string `json:"command"`
}

// ClusterNode is one node of the cluster.
type ClusterNode struct {
	ID           string   `json:"id"`
	Hostname     string   `json:"hostname"`
	Addr         string   `json:"addr"`
	Role         string   `json:"role"`
	State        string   `json:"state"`
	Availability string   `json:"availability"`
	Self         bool     `json:"self"`
	NanoCPUs     int64    `json:"nano_cpus"`
	MemoryBytes  int64    `json:"memory_bytes"`
	Replicas     []string `json:"replicas"`
}

// ClusterNodeList lists the nodes.
type ClusterNodeList struct {
	Nodes []ClusterNode `json:"nodes"`
}

// ClusterChange is the answer of a drain, activate or leave: the node (if
// any) and what the move of the apps printed.
type ClusterChange struct {
	Node   *ClusterNode `json:"node,omitempty"`
	Output string       `json:"output"`
}

// Placement is an app's placement constraints (PUT and GET
// /apps/{app}/placement); an empty list lets replicas run on any node.
type Placement struct {
	Constraints []string `json:"constraints"`
}

const clusterPath = "/api/v1/cluster"

// ClusterStatus returns the cluster's state.
func (c *Client) ClusterStatus(ctx context.Context) (*Cluster, error) {
	var out Cluster
	return &out, c.do(ctx, http.MethodGet, clusterPath, nil, &out)
}

// ClusterInit makes the server a cluster manager.
func (c *Client) ClusterInit(ctx context.Context, addr string) (*Cluster, error) {
	var out Cluster
	return &out, c.do(ctx, http.MethodPost, clusterPath, ClusterInit{AdvertiseAddr: addr}, &out)
}

// ClusterLeave moves the apps back onto this server and leaves the swarm.
func (c *Client) ClusterLeave(ctx context.Context) (*ClusterChange, error) {
	var out ClusterChange
	return &out, c.do(ctx, http.MethodDelete, clusterPath, nil, &out)
}

// ClusterJoinCommand returns the command that joins a worker.
func (c *Client) ClusterJoinCommand(ctx context.Context) (string, error) {
	var out JoinCommand
	err := c.do(ctx, http.MethodGet, clusterPath+"/join-command", nil, &out)
	return out.Command, err
}

// ClusterRotateJoinToken replaces the worker join token and returns the
// new join command.
func (c *Client) ClusterRotateJoinToken(ctx context.Context) (string, error) {
	var out JoinCommand
	err := c.do(ctx, http.MethodPost, clusterPath+"/join-command/rotate", nil, &out)
	return out.Command, err
}

// ClusterNodes lists the nodes.
func (c *Client) ClusterNodes(ctx context.Context) ([]ClusterNode, error) {
	var out ClusterNodeList
	return out.Nodes, c.do(ctx, http.MethodGet, clusterPath+"/nodes", nil, &out)
}

// ClusterNodeAvailability drains or activates a node (action "drain" or
// "activate").
func (c *Client) ClusterNodeAvailability(ctx context.Context, node, action string) (*ClusterChange, error) {
	var out ClusterChange
	path := clusterPath + "/nodes/" + url.PathEscape(node) + "/" + action
	return &out, c.do(ctx, http.MethodPost, path, nil, &out)
}

// Placement returns an app's placement constraints.
func (c *Client) Placement(ctx context.Context, app string) ([]string, error) {
	var out Placement
	return out.Constraints, c.do(ctx, http.MethodGet, appPath(app, "/placement"), nil, &out)
}

// SetPlacement replaces an app's placement constraints.
func (c *Client) SetPlacement(ctx context.Context, app string, constraints []string) ([]string, error) {
	var out Placement
	err := c.do(ctx, http.MethodPut, appPath(app, "/placement"), Placement{Constraints: constraints}, &out)
	return out.Constraints, err
}
