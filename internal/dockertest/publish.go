package dockertest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/stretchr/testify/require"
)

// RunPublished creates and starts a container of cfg with port published on
// 127.0.0.1 at an ephemeral host port, removes it when the test ends, and
// returns the published address.
func RunPublished(ctx context.Context, t testing.TB, cli *client.Client, cfg container.Config, port int) string {
	t.Helper()
	p := nat.Port(strconv.Itoa(port) + "/tcp")
	cfg.ExposedPorts = nat.PortSet{p: {}}
	resp, err := cli.ContainerCreate(ctx, &cfg,
		&container.HostConfig{PortBindings: nat.PortMap{p: {{HostIP: "127.0.0.1"}}}}, nil, nil, "")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cli.ContainerRemove(context.Background(), resp.ID, container.RemoveOptions{Force: true})
	})
	require.NoError(t, cli.ContainerStart(ctx, resp.ID, container.StartOptions{}))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		info, err := cli.ContainerInspect(ctx, resp.ID)
		if err == nil && len(info.NetworkSettings.Ports[p]) > 0 {
			return "127.0.0.1:" + info.NetworkSettings.Ports[p][0].HostPort
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("container %s published no port %s within 10s", resp.ID[:12], p)
	return ""
}
