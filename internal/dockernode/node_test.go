package dockernode

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockertest"
)

func TestLinkAddrs(t *testing.T) {
	for _, tc := range []struct {
		i          int
		host, node string
	}{
		{1, "10.252.0.5", "10.252.0.6"},
		{64, "10.252.1.1", "10.252.1.2"},
		{16383, "10.252.255.253", "10.252.255.254"},
	} {
		host, node := linkAddrs(tc.i)
		assert.Equal(t, tc.host, host.String(), "host end of /30 %d", tc.i)
		assert.Equal(t, tc.node, node.String(), "node end of /30 %d", tc.i)
		assert.True(t, pool.Contains(host) && pool.Contains(node))
	}
}

func TestLinkNames(t *testing.T) {
	out := "1: lo: <LOOPBACK,UP> mtu 65536\n2: qn12ab34n@if9: <BROADCAST> mtu 1500\n3: qnl9f00a@if4: <UP> mtu 1500\n4: docker0: <UP> mtu 1500\n"
	assert.Equal(t, []string{"qn12ab34n", "qnl9f00a"}, linkNames(out))
}

func TestDescendants(t *testing.T) {
	parents := map[int]int{10: 1, 11: 10, 12: 11, 20: 1, 21: 20}
	got := descendants(map[int]bool{10: true}, parents)
	assert.Equal(t, map[int]bool{10: true, 11: true, 12: true}, got)
}

// TestNode starts a node, copies an image built on the shared daemon into
// it, reaches a container the node publishes on its own address from the
// host, kills the node, and checks that the cleanup left nothing behind.
func TestNode(t *testing.T) {
	shared, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = shared.Close() })
	tag := serverImage(t, shared)

	var n *Node
	t.Run("run", func(t *testing.T) {
		start := time.Now()
		n = Start(t)
		t.Logf("node %s (%s <-> %s) answered after %s", n.Name, n.HostAddr, n.Addr, time.Since(start).Round(time.Millisecond))
		info, err := n.Client().Info(context.Background())
		require.NoError(t, err)
		assert.Equal(t, n.Name, info.Name, "the node's hostname")
		n.CopyImage(t, tag)
		url := runServer(t, n, tag)
		assert.Equal(t, "hello", dockertest.Get(t, url))

		n.Kill(t)
		_, err = n.Client().Ping(context.Background())
		assert.Error(t, err, "the daemon answers after Kill")
		c := http.Client{Timeout: time.Second}
		_, err = c.Get(url)
		assert.Error(t, err, "the node's container answers after Kill")
	})
	require.NotNil(t, n)
	assertGone(t, n)
}

// serverImage builds the test server FROM scratch on the shared daemon
// under a tag of this test and removes it at the end.
func serverImage(t *testing.T, cli *client.Client) string {
	bin, err := dockertest.ServerBinary()
	require.NoError(t, err)
	tag := "quayside-dockernode-test:" + dockertest.RandomHex(6)
	ctx := dockertest.Context(t, time.Minute)
	require.NoError(t, dockertest.BuildImage(ctx, cli, tag, nil, map[string][]byte{
		"Dockerfile": []byte(dockertest.ServerDockerfile), "server": bin,
	}))
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })
	return tag
}

// runServer runs tag on the node, published on the node's address, and
// returns its URL.
func runServer(t *testing.T, n *Node, tag string) string {
	ctx := dockertest.Context(t, time.Minute)
	cli := n.Client()
	port := nat.Port("8080/tcp")
	created, err := cli.ContainerCreate(ctx, &container.Config{Image: tag, ExposedPorts: nat.PortSet{port: {}}},
		&container.HostConfig{PortBindings: nat.PortMap{port: {{HostIP: n.Addr.String()}}}}, nil, nil, "")
	require.NoError(t, err)
	require.NoError(t, cli.ContainerStart(ctx, created.ID, container.StartOptions{}))
	insp, err := cli.ContainerInspect(ctx, created.ID)
	require.NoError(t, err)
	bound := insp.NetworkSettings.Ports[port]
	require.NotEmpty(t, bound)
	return fmt.Sprintf("http://%s/", net.JoinHostPort(n.Addr.String(), bound[0].HostPort))
}

// assertGone checks that nothing of n is left on the machine.
func assertGone(t *testing.T, n *Node) {
	for _, p := range []string{n.dataRoot, n.execRoot, n.netnsPath(), "/sys/fs/cgroup/memory/" + n.Name} {
		_, err := os.Stat(p)
		assert.True(t, os.IsNotExist(err), "%s is left behind", p)
	}
	_, err := net.InterfaceByName(n.hostVeth())
	assert.Error(t, err, "veth %s is left behind", n.hostVeth())
	parents, cmdlines := processTable()
	for pid := range parents {
		assert.NotContains(t, cmdlines[pid], n.execRoot, "process %d of the node is left", pid)
	}
}
