package main

import (
	"fmt"
	"strings"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// clusterCmd groups the cluster commands (server admins only).
type clusterCmd struct {
	Status      clusterStatusCmd      `cmd:"" default:"1" help:"Show whether this server manages a cluster (the default)."`
	Init        clusterInitCmd        `cmd:"" help:"Make this server a Docker Swarm manager; apps move onto services at their next deploy."`
	JoinCommand clusterJoinCommandCmd `cmd:"" name:"join-command" help:"Print the command that joins a new node (it needs only Docker) as a worker."`
	Nodes       clusterNodesCmd       `cmd:"" help:"List the nodes: address, state, availability, CPU, memory and the replicas on each."`
	Drain       clusterDrainCmd       `cmd:"" help:"Move every replica off a node with no downtime, then keep it empty."`
	Activate    clusterActivateCmd    `cmd:"" help:"Let a drained node take replicas again."`
	Leave       clusterLeaveCmd       `cmd:"" help:"Move every app back onto this server's containers and leave the cluster."`
	Join        clusterJoinCmd        `cmd:"" help:"On a new node: trust Quayside's registry and join the cluster as a worker."`
}

type clusterStatusCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *clusterStatusCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	st, err := cl.ClusterStatus(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(st)
	}
	printCluster(st)
	return nil
}

func printCluster(st *api.Cluster) {
	if !st.Enabled {
		fmt.Println("No cluster: apps run as containers of this server. `quayside cluster init` starts one.")
		return
	}
	fmt.Printf("Cluster manager at %s, %d node(s).\n", safe(st.AdvertiseAddr), st.Nodes)
}

type clusterInitCmd struct {
	AdvertiseAddr string `name:"advertise-addr" placeholder:"IP" help:"The address of this server that other nodes reach it at; left out, the only non-loopback IPv4 address."`
	JSON          bool   `help:"Print JSON."`
}

func (c *clusterInitCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	st, err := cl.ClusterInit(g.ctx, c.AdvertiseAddr)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(st)
	}
	printCluster(st)
	fmt.Println("Apps move onto services at their next deploy. Add nodes with the command `quayside cluster join-command` prints.")
	return nil
}

type clusterJoinCommandCmd struct {
	Rotate bool `help:"First replace the worker join token: the old one joins no new node from then on (nodes already joined keep working)."`
}

func (c *clusterJoinCommandCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	get := cl.ClusterJoinCommand
	if c.Rotate {
		get = cl.ClusterRotateJoinToken
	}
	cmd, err := get(g.ctx)
	if err != nil {
		return err
	}
	if c.Rotate {
		fmt.Println("Rotated the worker join token: the old token no longer joins new nodes. Nodes already in the cluster keep working.")
	}
	fmt.Println("Run this on the new node (it needs Docker; keep the token secret):")
	fmt.Println("  " + safe(cmd))
	return nil
}

type clusterNodesCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *clusterNodesCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	nodes, err := cl.ClusterNodes(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(api.ClusterNodeList{Nodes: nodes})
	}
	w := table("NODE", "ADDRESS", "ROLE", "STATE", "AVAILABILITY", "CPUS", "MEMORY", "REPLICAS")
	for _, n := range nodes {
		name := n.Hostname
		if n.Self {
			name += " (this server)"
		}
		reps := strings.Join(n.Replicas, " ")
		row(w, safe(name), safe(n.Addr), n.Role, n.State, n.Availability, fmt.Sprintf("%g", float64(n.NanoCPUs)/1e9),
			engine.FormatMemory(n.MemoryBytes), dash(safe(reps)))
	}
	return w.Flush()
}

type clusterDrainCmd struct {
	Node string `arg:"" help:"The node's hostname or id."`
}

func (c *clusterDrainCmd) Run(g *globals) error {
	return setAvailability(g, c.Node, "drain")
}

type clusterActivateCmd struct {
	Node string `arg:"" help:"The node's hostname or id."`
}

func (c *clusterActivateCmd) Run(g *globals) error {
	return setAvailability(g, c.Node, "activate")
}

func setAvailability(g *globals, node, action string) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	ch, err := cl.ClusterNodeAvailability(g.ctx, node, action)
	if err != nil {
		return err
	}
	fmt.Print(safe(ch.Output))
	if ch.Node != nil {
		fmt.Printf("%s is now %s.\n", safe(ch.Node.Hostname), ch.Node.Availability)
	}
	return nil
}

type clusterLeaveCmd struct{}

func (c *clusterLeaveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	ch, err := cl.ClusterLeave(g.ctx)
	if err != nil {
		return err
	}
	fmt.Print(safe(ch.Output))
	fmt.Println("Left the cluster: every app runs as containers of this server again.")
	return nil
}

// appsPlacementCmd shows or sets where an app's replicas may run.
type appsPlacementCmd struct {
	App         string   `arg:"" help:"App name."`
	Constraints []string `arg:"" optional:"" help:"Swarm constraints such as node.labels.region==eu; none shows the current ones."`
	Clear       bool     `help:"Remove every constraint: replicas may run on any node."`
}

func (c *appsPlacementCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	list := c.Constraints
	switch {
	case c.Clear && len(list) > 0:
		return engine.FieldError("constraints", "give constraints or --clear, not both")
	case c.Clear || len(list) > 0:
		if list, err = cl.SetPlacement(g.ctx, c.App, list); err != nil {
			return err
		}
		fmt.Println("Applies from the next deploy, restart or scale.")
	default:
		if list, err = cl.Placement(g.ctx, c.App); err != nil {
			return err
		}
	}
	if len(list) == 0 {
		fmt.Printf("%s may run on any node.\n", c.App)
		return nil
	}
	fmt.Printf("%s runs only where: %s\n", c.App, safe(strings.Join(list, ", ")))
	return nil
}
