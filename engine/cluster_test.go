package engine_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// fakeCluster stands in for a Swarm (none can be made on the shared test
// Docker): it is also the Runtime, and while the cluster is on and not
// held, new replicas run on node.
type fakeCluster struct {
	*enginetest.Runtime
	mu       sync.Mutex
	enabled  bool
	held     bool
	node     string
	nodes    []engine.ClusterNode
	onNode   map[string]string // container id -> node
	specs    []engine.ContainerSpec
	left     bool
	leaveErr error
	token    string // the worker join token
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{Runtime: enginetest.NewRuntime(), node: "n1", onNode: map[string]string{}, token: "SWMTKN-1-secret",
		nodes: []engine.ClusterNode{{ID: "id1", Hostname: "n1", State: "ready", Availability: engine.NodeActive}}}
}

func (f *fakeCluster) Start(ctx context.Context, spec engine.ContainerSpec) (*engine.Container, error) {
	c, err := f.Runtime.Start(ctx, spec)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.specs = append(f.specs, spec)
	if err == nil && f.enabled && !f.held {
		f.onNode[c.ID], c.Node = f.node, f.node
	}
	return c, err
}

func (f *fakeCluster) Containers(ctx context.Context, app string) ([]*engine.Container, error) {
	cs, err := f.Runtime.Containers(ctx, app)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		c.Node = f.onNode[c.ID]
	}
	return cs, err
}

func (f *fakeCluster) Status(context.Context) (engine.ClusterStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return engine.ClusterStatus{Enabled: f.enabled, AdvertiseAddr: "10.0.0.5"}, nil
}

func (f *fakeCluster) Init(_ context.Context, addr string) (engine.ClusterStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.enabled = true
	return engine.ClusterStatus{Enabled: true, AdvertiseAddr: addr}, nil
}

func (f *fakeCluster) JoinInfo(context.Context) (engine.JoinInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return engine.JoinInfo{Token: f.token, Addr: "10.0.0.5", RegistryFlags: "--registry 10.0.0.5:5443 --registry-ca-sha256 ab"}, nil
}

// RotateJoinToken gives the swarm a new worker token, as Swarm does.
func (f *fakeCluster) RotateJoinToken(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.enabled {
		return engine.Errorf(engine.ECONFLICT, "this server manages no cluster")
	}
	f.token += "-rotated"
	return nil
}

func (f *fakeCluster) Nodes(context.Context) ([]engine.ClusterNode, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.ClusterNode(nil), f.nodes...), nil
}

func (f *fakeCluster) SetAvailability(_ context.Context, node, a string) (engine.ClusterNode, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, n := range f.nodes {
		if n.ID == node || n.Hostname == node {
			f.nodes[i].Availability = a
			return f.nodes[i], nil
		}
	}
	return engine.ClusterNode{}, engine.Errorf(engine.ENOTFOUND, "no node %s", node)
}

func (f *fakeCluster) Hold(on bool) {
	f.mu.Lock()
	f.held = on
	f.mu.Unlock()
}

func (f *fakeCluster) Leave(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leaveErr != nil {
		return f.leaveErr
	}
	f.left, f.enabled = true, false
	return nil
}

// onNodes counts app's replicas per node ("" for plain containers).
func (f *fakeCluster) onNodes(t *testing.T, app string) map[string]int {
	cs, err := f.Containers(context.Background(), app)
	require.NoError(t, err)
	out := map[string]int{}
	for _, c := range cs {
		out[c.Node]++
	}
	return out
}

// clusterRigAcc is the access rig with a fake cluster as runtime and cluster.
func clusterRigAcc(t *testing.T) (*clusterTestRig, *engine.Accounts) {
	t.Helper()
	r, acc := accessRig(t)
	fc := newFakeCluster()
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: fc, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: fc.Runtime}, Domain: "example.test", Access: acc,
		Cluster: fc, Placement: r.db,
	})
	return &clusterTestRig{rig: r, cluster: fc}, acc
}

// clusterTestRig is a rig whose runtime is a fake cluster.
type clusterTestRig struct {
	*rig
	cluster *fakeCluster
}

func TestClusterCommandsAreForServerAdminsOnly(t *testing.T) {
	cr, acc := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada := as("ada@x.io", engine.RoleAdmin)
	for _, who := range []context.Context{as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer)} {
		_, err := r.eng.InitCluster(who, "10.0.0.5")
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		cmd, err := r.eng.ClusterJoinCommand(who)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.Empty(t, cmd, "no join token for non-admins")
		_, err = r.eng.ClusterNodes(who)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		_, err = r.eng.DrainNode(who, "n1", nil)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		_, err = r.eng.ActivateNode(who, "n1")
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.LeaveCluster(who, nil)))
	}
	assert.False(t, fc.enabled, "nothing happened")

	_, err := r.eng.InitCluster(ada, "10.0.0.5")
	require.NoError(t, err)
	cmd, err := r.eng.ClusterJoinCommand(ada)
	require.NoError(t, err)
	assert.Equal(t, "quayside cluster join 10.0.0.5:2377 --token SWMTKN-1-secret --registry 10.0.0.5:5443 --registry-ca-sha256 ab", cmd)

	entries, err := acc.ListAudit(ada, engine.AuditQuery{})
	require.NoError(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		assert.NotContains(t, e.Target+e.Detail, "SWMTKN", "the join token is never written to the audit log")
	}
	assert.Contains(t, actions, engine.AuditClusterInit)
	assert.Contains(t, actions, "denied."+string(engine.ActServer))
}

func TestRotateJoinToken(t *testing.T) {
	cr, acc := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada := as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.RotateJoinToken(ada)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "no cluster, no token to rotate")
	_, err = r.eng.InitCluster(ada, "10.0.0.5")
	require.NoError(t, err)
	old, err := r.eng.ClusterJoinCommand(ada)
	require.NoError(t, err)

	// A developer or viewer who learnt the old token cannot mint a new
	// one, nor lock the admins' nodes out by rotating it.
	for _, who := range []context.Context{as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer)} {
		cmd, err := r.eng.RotateJoinToken(who)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.Empty(t, cmd)
	}
	fc.mu.Lock()
	assert.Equal(t, "SWMTKN-1-secret", fc.token, "a refused rotation leaves the token")
	fc.mu.Unlock()

	cmd, err := r.eng.RotateJoinToken(ada)
	require.NoError(t, err)
	assert.NotEqual(t, old, cmd)
	assert.Equal(t, "quayside cluster join 10.0.0.5:2377 --token SWMTKN-1-secret-rotated --registry 10.0.0.5:5443 --registry-ca-sha256 ab", cmd)
	now, err := r.eng.ClusterJoinCommand(ada)
	require.NoError(t, err)
	assert.Equal(t, cmd, now, "join-command prints the new token from then on")
	assert.NotContains(t, now, "SWMTKN-1-secret ", "the old token is gone")

	entries, err := acc.ListAudit(ada, engine.AuditQuery{})
	require.NoError(t, err)
	rotations := 0
	for _, e := range entries {
		assert.NotContains(t, e.Target+e.Detail, "SWMTKN", "no token in the audit log")
		if e.Action == engine.AuditClusterRotate {
			rotations++
			assert.Equal(t, "ada@x.io", e.Actor)
		}
	}
	assert.Equal(t, 2, rotations, "the refused rotation without a cluster and the done one")
}

func TestAdvertiseAddressMustBeAnIP(t *testing.T) {
	cr, _ := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada := as("ada@x.io", engine.RoleAdmin)
	for _, bad := range []string{"eu.example.com", "10.0.0.5:2377", "0.0.0.0", "224.0.0.1", "10.0.0.5; rm -rf /", "\x1b[31m"} {
		_, err := r.eng.InitCluster(ada, bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), bad)
		assert.NotContains(t, engine.ErrorMessage(err), "\x1b", "the answer carries no terminal escapes")
	}
	assert.False(t, fc.enabled)
}

func TestPickAdvertiseAddress(t *testing.T) {
	ips := func(s ...string) []net.IP {
		var out []net.IP
		for _, a := range s {
			out = append(out, net.ParseIP(a))
		}
		return out
	}
	for _, c := range []struct {
		name string
		have []net.IP
		want string
	}{
		{"the only address", ips("127.0.0.1", "10.0.0.5", "::1", "fe80::1"), "10.0.0.5"},
		{"two candidates: ask", ips("127.0.0.1", "10.0.0.5", "192.168.1.2"), ""},
		{"loopback only: ask", ips("127.0.0.1"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := engine.PickAdvertiseAddr(c.have)
			assert.Equal(t, c.want, got)
			if c.want == "" {
				assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
				assert.Contains(t, engine.ErrorMessage(err), "--advertise-addr")
			}
		})
	}
}

func TestPlacementConstraintsAreChecked(t *testing.T) {
	good := []string{"node.labels.region==eu", "node.role != manager", "node.hostname==n2", "engine.labels.disk==ssd", "node.platform.arch==x86_64"}
	got, err := engine.ParseConstraints(good)
	require.NoError(t, err)
	assert.Equal(t, "node.role != manager", got[1])
	for _, bad := range []string{"", "region==eu", "node.labels.region", "node.labels.region=eu", "node.labels.region==eu --privileged",
		"node.labels.region==", "node.labels.==eu", "node.labels.region==eu\nnode.role==manager", "container.labels.x==1",
		"node.labels.region==" + string(make([]byte, 300))} {
		_, err := engine.ParseConstraints([]string{bad})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%q", bad)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = "node.role==worker"
	}
	_, err = engine.ParseConstraints(many)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "too many constraints")
}

func TestPlacementReachesNewReplicasAndOnlyAdminsSetIt(t *testing.T) {
	cr, _ := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada, ann := as("ada@x.io", engine.RoleAdmin), as("ann@x.io", engine.RoleDeveloper)
	r.mustPush("shop", "img1")
	_, err := r.eng.SetPlacement(ann, "shop", []string{"node.role==manager"})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "a developer cannot pick the machines")
	_, err = r.eng.SetPlacement(ada, "shop", []string{"node.labels.region==eu", "junk"})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	_, err = r.eng.SetPlacement(ada, "nope", []string{"node.labels.region==eu"})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	_, err = r.eng.SetPlacement(ada, "shop", []string{"node.labels.region==eu"})
	require.NoError(t, err)
	list, err := r.eng.Placement(ada, "shop")
	require.NoError(t, err)
	assert.Equal(t, []string{"node.labels.region==eu"}, list)
	r.mustPush("shop", "img2")
	last := fc.specs[len(fc.specs)-1]
	assert.Equal(t, []string{"node.labels.region==eu"}, last.Placement, "the next deploy places by the constraints")
}

func TestDrainRefusesTheLastActiveNodeAndMovesReplicasOtherwise(t *testing.T) {
	cr, _ := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada := as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.InitCluster(ada, "10.0.0.5")
	require.NoError(t, err)
	r.mustPush("shop", "img1")
	_, err = r.eng.Scale(context.Background(), engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": 2}})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"n1": 2}, fc.onNodes(t, "shop"))

	_, err = r.eng.DrainNode(ada, "n1", nil)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "only active node")
	_, err = r.eng.DrainNode(ada, "n9", nil)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	fc.mu.Lock()
	fc.nodes = append(fc.nodes, engine.ClusterNode{ID: "id2", Hostname: "n2", State: "ready", Availability: engine.NodeActive})
	fc.node = "n2" // where the scheduler puts new replicas now
	fc.mu.Unlock()
	before := r.backends("shop")
	var out bytes.Buffer
	n, err := r.eng.DrainNode(ada, "n1", &out)
	require.NoError(t, err, out.String())
	assert.Equal(t, engine.NodeDrain, n.Availability)
	assert.Equal(t, map[string]int{"n2": 2}, fc.onNodes(t, "shop"), "every replica moved")
	assert.Len(t, r.backends("shop"), 2)
	assert.NotContains(t, r.backends("shop"), before[0])
	assert.Contains(t, out.String(), "Moved 2 replica(s) of shop")
}

func TestLeaveMovesAppsBackBeforeTheSwarmGoes(t *testing.T) {
	cr, _ := clusterRigAcc(t)
	r, fc := cr.rig, cr.cluster
	ada := as("ada@x.io", engine.RoleAdmin)
	err := r.eng.LeaveCluster(ada, nil)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "no cluster to leave")

	r.mustPush("shop", "img1")
	assert.Equal(t, map[string]int{"": 1}, fc.onNodes(t, "shop"), "single-node mode until init")
	_, err = r.eng.InitCluster(ada, "10.0.0.5")
	require.NoError(t, err)
	r.mustPush("shop", "img2")
	assert.Equal(t, map[string]int{"n1": 1}, fc.onNodes(t, "shop"), "the next deploy moves the app onto the cluster")

	fc.leaveErr = engine.Errorf(engine.EUNAVAILABLE, "docker is down")
	require.Error(t, r.eng.LeaveCluster(ada, nil))
	assert.False(t, fc.held, "a failed leave keeps scheduling on the cluster")
	fc.leaveErr = nil

	require.NoError(t, r.eng.LeaveCluster(ada, nil))
	assert.True(t, fc.left)
	assert.Equal(t, map[string]int{"": 1}, fc.onNodes(t, "shop"), "back on plain containers")
	assert.Len(t, r.backends("shop"), 1)
}
