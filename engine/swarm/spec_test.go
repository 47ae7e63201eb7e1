package swarm

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

func TestServiceSpecIsAHardenedReplicaOnAHostPort(t *testing.T) {
	spec := engine.ContainerSpec{App: "shop", Release: 3, Process: "web", Replica: 2, Image: "img", Port: 5000,
		Env: map[string]string{"B": "2", "A": "1"}, Cmd: []string{"serve"},
		Limits:    engine.Limits{MemoryBytes: 256 << 20, NanoCPUs: 5e8, Pids: 100},
		Placement: []string{"node.labels.region==eu"}}
	s := serviceSpec("abcd1234", spec, "reg:5443/shop@sha256:x", "net1", 7*time.Second)

	assert.True(t, strings.HasPrefix(s.Name, "qsvc-abcd1234-shop-web-2-v3-"))
	assert.Equal(t, "abcd1234", s.Labels[dockernames.LabelInstance])
	assert.Equal(t, "shop", s.Labels[dockernames.LabelApp])
	require.NotNil(t, s.Mode.Replicated)
	assert.Equal(t, uint64(1), *s.Mode.Replicated.Replicas, "one task per replica: the engine gates each one")
	cs := s.TaskTemplate.ContainerSpec
	assert.Equal(t, "reg:5443/shop@sha256:x", cs.Image)
	assert.Equal(t, []string{"A=1", "B=2"}, cs.Env)
	assert.Equal(t, []string{"serve"}, cs.Args)
	assert.True(t, cs.Privileges.NoNewPrivileges)
	assert.Contains(t, cs.CapabilityDrop, "CAP_NET_RAW")
	assert.True(t, *cs.Init)
	assert.Equal(t, 7*time.Second, *cs.StopGracePeriod)
	assert.Equal(t, s.Labels, cs.Labels, "task containers carry the replica's labels")
	assert.Equal(t, &swarm.Limit{NanoCPUs: 5e8, MemoryBytes: 256 << 20, Pids: 100}, s.TaskTemplate.Resources.Limits)
	assert.Equal(t, []string{"node.labels.region==eu"}, s.TaskTemplate.Placement.Constraints)
	assert.Equal(t, []swarm.NetworkAttachmentConfig{{Target: "net1"}}, s.TaskTemplate.Networks)
	assert.Equal(t, "json-file", s.TaskTemplate.LogDriver.Name)
	assert.Equal(t, swarm.ResolutionModeDNSRR, s.EndpointSpec.Mode, "no virtual IP: it needs IPVS")
	require.Len(t, s.EndpointSpec.Ports, 1)
	p := s.EndpointSpec.Ports[0]
	assert.Equal(t, swarm.PortConfigPublishModeHost, p.PublishMode, "no routing mesh")
	assert.Equal(t, uint32(5000), p.TargetPort)
	assert.Zero(t, p.PublishedPort, "each task gets a random port of its node")

	worker := serviceSpec("abcd1234", engine.ContainerSpec{App: "shop", Release: 1, Process: "worker", Replica: 1, Image: "img"}, "img", "n", time.Second)
	assert.Empty(t, worker.EndpointSpec.Ports, "a worker publishes nothing")
}

func TestServiceNamesFitDocker(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, app := range []string{"a", "shop", long} {
		n := serviceName("abcd1234", engine.ContainerSpec{App: app, Release: 123456, Process: strings.Repeat("p", 30), Replica: 99})
		assert.LessOrEqual(t, len(n), maxNameLen, n)
		assert.True(t, strings.HasPrefix(n, servicePrefix))
	}
	a := serviceName("i", engine.ContainerSpec{App: "x", Release: 1, Process: "web", Replica: 1})
	b := serviceName("i", engine.ContainerSpec{App: "x", Release: 1, Process: "web", Replica: 1})
	assert.NotEqual(t, a, b, "names are unique")
}

func TestTaskStateAndAddress(t *testing.T) {
	assert.Equal(t, "running", taskState(swarm.TaskStateRunning))
	for _, s := range []swarm.TaskState{swarm.TaskStatePending, swarm.TaskStateAssigned, swarm.TaskStatePreparing, swarm.TaskStateStarting} {
		assert.Equal(t, "restarting", taskState(s), "a task on its way counts as a restarting container (the engine keeps it)")
	}
	assert.Equal(t, "failed", taskState(swarm.TaskStateFailed))
	assert.Equal(t, "exited", taskState(swarm.TaskStateShutdown))

	now := time.Now()
	older := swarm.Task{ID: "old", DesiredState: swarm.TaskStateShutdown}
	older.CreatedAt = now.Add(-time.Minute)
	newer := swarm.Task{ID: "new", DesiredState: swarm.TaskStateRunning}
	newer.CreatedAt = now
	assert.Equal(t, "new", currentTask([]swarm.Task{older, newer}).ID)
	assert.Nil(t, currentTask(nil))

	task := &swarm.Task{NodeID: "n2", Status: swarm.TaskStatus{PortStatus: swarm.PortStatus{Ports: []swarm.PortConfig{
		{PublishMode: swarm.PortConfigPublishModeHost, TargetPort: 5000, PublishedPort: 30123}}}}}
	node := swarm.Node{Status: swarm.NodeStatus{Addr: "10.0.0.6"}}
	assert.Equal(t, "10.0.0.6:30123", taskAddr(task, node))
	mgr := swarm.Node{Status: swarm.NodeStatus{Addr: "0.0.0.0"}, ManagerStatus: &swarm.ManagerStatus{Addr: "10.0.0.5:2377"}}
	assert.Equal(t, "10.0.0.5:30123", taskAddr(task, mgr), "a manager reporting 0.0.0.0 is reached at its manager address")
	assert.Equal(t, "[fd00::6]:30123", taskAddr(task, swarm.Node{Status: swarm.NodeStatus{Addr: "fd00::6"}}))
	assert.Empty(t, taskAddr(&swarm.Task{}, node), "no port, no address")
}

func TestServiceAndContainerIDsAreTold(t *testing.T) {
	assert.False(t, isService(strings.Repeat("ab", 32)))
	assert.True(t, isService("jpmcgz7d58jkmjm0qf5mlhgsv"))
	assert.True(t, isService("../../etc"), "anything not a container id is looked up as a service (and ownership checked)")
}
