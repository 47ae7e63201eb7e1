package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernode"
	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/proxy/registry"
)

func TestClusterJoinChecksItsFlags(t *testing.T) {
	good := clusterJoinCmd{Manager: "10.0.0.1", Token: "SWMTKN-1-abc"}
	m, err := good.check()
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.1:2377", m)
	for name, c := range map[string]clusterJoinCmd{
		"no token":             {Manager: "10.0.0.1", Token: ""},
		"a manager token typo": {Manager: "10.0.0.1", Token: "abc"},
		"registry without pin": {Manager: "10.0.0.1", Token: "SWMTKN-1-abc", Registry: "10.0.0.1:5443"},
		"pin without registry": {Manager: "10.0.0.1", Token: "SWMTKN-1-abc", RegistryCA: "ab"},
		"empty manager":        {Manager: ":2377", Token: "SWMTKN-1-abc"},
	} {
		_, err := c.check()
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), name)
	}
}

// TestTwoNodes is the second node at the Docker level: a private node is
// the manager (the shared daemon is never made a swarm manager), a second
// private node joins it as a worker through `quayside cluster join`, which
// makes it trust Quayside's registry. An image built on the manager is
// shipped through the registry and a 2-replica service with host-mode
// ports runs one task on each node; both answer. The worker's daemon is
// killed and the manager's task still answers.
func TestTwoNodes(t *testing.T) {
	mgr, wrk := dockernode.Start(t), dockernode.Start(t)
	mgrLink, wrkLink := dockernode.Link(t, mgr, wrk)
	wrk.ReachHost(t, mgr.HostAddr)
	ctx := dockertest.Context(t, 3*time.Minute)

	reg := startNodeRegistry(t, mgr)
	_, err := mgr.Client().SwarmInit(ctx, swarm.InitRequest{ListenAddr: mgrLink.String() + ":2377", AdvertiseAddr: mgrLink.String()})
	require.NoError(t, err)
	sw, err := mgr.Client().SwarmInspect(ctx)
	require.NoError(t, err)

	join := clusterJoinCmd{Manager: mgrLink.String(), Token: sw.JoinTokens.Worker, AdvertiseAddr: wrkLink.String(),
		CertsDir: registry.DefaultCertsDir, DockerHost: wrk.Host()}
	fp := strings.Fields(reg.JoinFlags())
	join.Registry, join.RegistryCA = fp[1], fp[3]
	require.NoError(t, join.Run(&globals{ctx: ctx}))
	t.Cleanup(func() { _ = os.RemoveAll(filepath.Join(registry.DefaultCertsDir, reg.Host())) })
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(join.Run(&globals{ctx: ctx})), "joining twice")

	ref, auth := shipServer(ctx, t, mgr, reg)
	_, err = wrk.Client().ImagePull(ctx, ref, image.PullOptions{})
	assert.Error(t, err, "the worker pulled the app's image without a credential")

	svc := createService(ctx, t, mgr.Client(), ref, auth)
	urls := serviceURLs(ctx, t, mgr.Client(), svc, map[string]netip.Addr{nodeID(ctx, t, mgr): mgr.Addr, nodeID(ctx, t, wrk): wrk.Addr})
	for node, url := range urls {
		assert.Equal(t, "hello", dockertest.Get(t, url), "the task on %s", node)
	}
	assertNoCredentialInContainers(ctx, t, wrk.Client(), reg.PullCredential("web").Password)

	wrk.Kill(t)
	c := http.Client{Timeout: 2 * time.Second}
	for i := 0; i < 5; i++ {
		resp, err := c.Get(urls[nodeID(ctx, t, mgr)])
		require.NoError(t, err, "the manager's task stopped answering when the worker died")
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
	}
}

// startNodeRegistry serves a registry on the host end of mgr's link, with
// mgr's daemon as the manager's daemon.
func startNodeRegistry(t *testing.T, mgr *dockernode.Node) *registry.Registry {
	ln, err := net.Listen("tcp", net.JoinHostPort(mgr.HostAddr.String(), "0"))
	require.NoError(t, err)
	host := ln.Addr().String()
	require.NoError(t, ln.Close())
	reg, err := registry.New(registry.Config{DataDir: t.TempDir(), Listen: host, Host: host, Docker: mgr.Client()})
	require.NoError(t, err)
	require.NoError(t, reg.Start(context.Background()))
	t.Cleanup(func() { _ = reg.Stop(context.Background()) })
	return reg
}

// shipServer builds the test server on the manager and ships it.
func shipServer(ctx context.Context, t *testing.T, mgr *dockernode.Node, reg *registry.Registry) (ref, auth string) {
	bin, err := dockertest.ServerBinary()
	require.NoError(t, err)
	require.NoError(t, dockertest.BuildImage(ctx, mgr.Client(), "web:v1", nil, map[string][]byte{
		"Dockerfile": []byte(dockertest.ServerDockerfile), "server": bin,
	}))
	start := time.Now()
	ref, auth, err = reg.Ship(ctx, "web", "web:v1")
	require.NoError(t, err)
	first := time.Since(start)
	start = time.Now()
	again, _, err := reg.Ship(ctx, "web", "web:v1")
	require.NoError(t, err)
	assert.Equal(t, ref, again)
	t.Logf("Ship of the test server image (%d KiB): %s, again %s", len(bin)/1024, first.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return ref, auth
}

// createService runs ref as 2 replicas, at most one per node, each
// publishing 8080 in host mode on a port of its own.
func createService(ctx context.Context, t *testing.T, cli *client.Client, ref, auth string) string {
	two := uint64(2)
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: "web"},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: ref},
			Placement:     &swarm.Placement{MaxReplicas: 1},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &two}},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR, Ports: []swarm.PortConfig{
			{Protocol: swarm.PortConfigProtocolTCP, TargetPort: 8080, PublishMode: swarm.PortConfigPublishModeHost},
		}},
	}
	resp, err := cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{EncodedRegistryAuth: auth})
	require.NoError(t, err)
	return resp.ID
}

// serviceURLs waits until the service runs a task on every node of addrs
// and returns each node's task URL.
func serviceURLs(ctx context.Context, t *testing.T, cli *client.Client, svc string, addrs map[string]netip.Addr) map[string]string {
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{})
		require.NoError(t, err)
		urls := map[string]string{}
		last = ""
		for _, task := range tasks {
			last += fmt.Sprintf(" %s:%s(%s)", task.NodeID, task.Status.State, task.Status.Err)
			if task.ServiceID != svc || task.Status.State != swarm.TaskStateRunning || len(task.Status.PortStatus.Ports) == 0 {
				continue
			}
			port := task.Status.PortStatus.Ports[0].PublishedPort
			urls[task.NodeID] = fmt.Sprintf("http://%s/", net.JoinHostPort(addrs[task.NodeID].String(), fmt.Sprint(port)))
		}
		if len(urls) == len(addrs) {
			return urls
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("the service runs no task on every node within 90s; tasks:%s", last)
	return nil
}

func nodeID(ctx context.Context, t *testing.T, n *dockernode.Node) string {
	info, err := n.Client().Info(ctx)
	require.NoError(t, err)
	return info.Swarm.NodeID
}

// assertNoCredentialInContainers checks that no container of the node
// carries the registry password in its environment or labels.
func assertNoCredentialInContainers(ctx context.Context, t *testing.T, cli *client.Client, password string) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	require.NoError(t, err)
	require.NotEmpty(t, list)
	for _, c := range list {
		insp, err := cli.ContainerInspect(ctx, c.ID)
		require.NoError(t, err)
		assert.NotContains(t, strings.Join(insp.Config.Env, "\n"), password, "container %s", c.ID)
		assert.NotContains(t, fmt.Sprint(insp.Config.Labels), password, "container %s", c.ID)
	}
}
