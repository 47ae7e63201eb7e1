package ui

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// clusterStatus answers the cluster's state.
func (s *Server) clusterStatus(c echo.Context) error {
	st, err := s.cfg.Engine.ClusterStatus(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCluster(st))
}

// clusterInit makes this server a cluster manager.
func (s *Server) clusterInit(c echo.Context) error {
	var in api.ClusterInit
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	st, err := s.cfg.Engine.InitCluster(c.Request().Context(), in.AdvertiseAddr)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCluster(st))
}

// clusterLeave moves the apps back and leaves the swarm.
func (s *Server) clusterLeave(c echo.Context) error {
	var out bytes.Buffer
	err := s.cfg.Engine.LeaveCluster(c.Request().Context(), &out)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.ClusterChange{Output: out.String()})
}

// clusterJoinCommand answers the worker join command (it holds the token).
func (s *Server) clusterJoinCommand(c echo.Context) error {
	cmd, err := s.cfg.Engine.ClusterJoinCommand(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.JoinCommand{Command: cmd})
}

// rotateJoinToken replaces the worker join token and answers the new join
// command.
func (s *Server) rotateJoinToken(c echo.Context) error {
	cmd, err := s.cfg.Engine.RotateJoinToken(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.JoinCommand{Command: cmd})
}

// clusterNodes lists the nodes.
func (s *Server) clusterNodes(c echo.Context) error {
	nodes, err := s.cfg.Engine.ClusterNodes(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.ClusterNodeList{Nodes: make([]api.ClusterNode, 0, len(nodes))}
	for _, n := range nodes {
		out.Nodes = append(out.Nodes, toClusterNode(n))
	}
	return c.JSON(http.StatusOK, out)
}

// drainNode moves the replicas off a node.
func (s *Server) drainNode(c echo.Context) error {
	var out bytes.Buffer
	n, err := s.cfg.Engine.DrainNode(c.Request().Context(), c.Param("node"), &out)
	if err != nil {
		return err
	}
	node := toClusterNode(n)
	return c.JSON(http.StatusOK, api.ClusterChange{Node: &node, Output: out.String()})
}

// activateNode lets a node take replicas again.
func (s *Server) activateNode(c echo.Context) error {
	n, err := s.cfg.Engine.ActivateNode(c.Request().Context(), c.Param("node"))
	if err != nil {
		return err
	}
	node := toClusterNode(n)
	return c.JSON(http.StatusOK, api.ClusterChange{Node: &node})
}

// getPlacement answers an app's placement constraints.
func (s *Server) getPlacement(c echo.Context) error {
	list, err := s.cfg.Engine.Placement(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.Placement{Constraints: list})
}

// setPlacement replaces an app's placement constraints.
func (s *Server) setPlacement(c echo.Context) error {
	var in api.Placement
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	list, err := s.cfg.Engine.SetPlacement(c.Request().Context(), c.Param("app"), in.Constraints)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.Placement{Constraints: list})
}

func toCluster(st engine.ClusterStatus) api.Cluster {
	return api.Cluster{Enabled: st.Enabled, AdvertiseAddr: st.AdvertiseAddr, NodeID: st.NodeID, Nodes: st.Nodes, Since: st.Since}
}

func toClusterNode(n engine.ClusterNode) api.ClusterNode {
	tasks := n.Tasks
	if tasks == nil {
		tasks = []string{}
	}
	return api.ClusterNode{ID: n.ID, Hostname: n.Hostname, Addr: n.Addr, Role: n.Role, State: n.State,
		Availability: n.Availability, Self: n.Self, NanoCPUs: n.NanoCPUs, MemoryBytes: n.MemoryBytes, Replicas: tasks}
}
