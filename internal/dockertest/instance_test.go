package dockertest

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernames"
)

func TestRandomHex(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, `^$`},
		{2, `^[0-9a-f]{4}$`},
		{8, `^[0-9a-f]{16}$`},
	}
	for _, tt := range tests {
		assert.Regexp(t, tt.want, RandomHex(tt.n))
	}
	assert.NotEqual(t, RandomHex(8), RandomHex(8))
}

// newClient returns a client of the daemon, closed when t ends.
func newClient(t *testing.T) *client.Client {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	require.NoError(t, Ping(Context(t, 10*time.Second), cli))
	return cli
}

// made is what makeObjects made for one instance.
type made struct{ container, network, image string }

// makeObjects makes a labelled image (and a labelled child of it), a
// network and a created container for instance.
func makeObjects(ctx context.Context, t *testing.T, cli client.APIClient, instance string) made {
	labels := map[string]string{dockernames.LabelInstance: instance}
	tag := "qs-test-" + instance + "/dockertest:v1"
	require.NoError(t, BuildImage(ctx, cli, tag, labels,
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY f /f\n"), "f": []byte(instance)}))
	require.NoError(t, BuildImage(ctx, cli, tag+"-child", nil,
		map[string][]byte{"Dockerfile": []byte("FROM " + tag + "\nCOPY g /g\n"), "g": []byte(instance)}))
	net, err := cli.NetworkCreate(ctx, "qs-test-"+instance, network.CreateOptions{Labels: labels})
	require.NoError(t, err)
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: tag, Cmd: []string{"/f"}, Labels: labels},
		&container.HostConfig{NetworkMode: container.NetworkMode("qs-test-" + instance)}, nil, nil, "")
	require.NoError(t, err)
	return made{container: c.ID, network: net.ID, image: tag}
}

// count counts the containers, networks and images labelled with instance.
func count(ctx context.Context, t *testing.T, cli client.APIClient, instance string) int {
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+instance))
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	require.NoError(t, err)
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	require.NoError(t, err)
	imgs, err := cli.ImageList(ctx, image.ListOptions{All: true, Filters: f})
	require.NoError(t, err)
	return len(cs) + len(nets) + len(imgs)
}

func TestRemoveInstance(t *testing.T) {
	cli := newClient(t)
	ctx := Context(t, 2*time.Minute)
	mine, theirs := Instance(t, cli), Instance(t, cli)
	makeObjects(ctx, t, cli, mine)
	kept := makeObjects(ctx, t, cli, theirs)
	require.Equal(t, 4, count(ctx, t, cli, mine), "container, network, image and its child (labels are inherited)")

	require.NoError(t, RemoveInstance(ctx, cli, mine))
	assert.Zero(t, count(ctx, t, cli, mine))
	assert.Equal(t, 4, count(ctx, t, cli, theirs), "another instance's objects stay")
	_, err := cli.ImageInspect(ctx, kept.image)
	assert.NoError(t, err)

	t.Run("nothing left is no error", func(t *testing.T) {
		assert.NoError(t, RemoveInstance(ctx, cli, mine))
	})
	t.Run("a daemon that is down is an error", func(t *testing.T) {
		down, err := client.NewClientWithOpts(client.WithHost("unix:///nonexistent/docker.sock"), client.WithAPIVersionNegotiation())
		require.NoError(t, err)
		t.Cleanup(func() { _ = down.Close() })
		assert.ErrorContains(t, RemoveInstance(ctx, down, mine), "list containers")
		assert.ErrorContains(t, Ping(ctx, down), "these tests need a Docker daemon")
	})
}

func TestBuildImageFails(t *testing.T) {
	cli := newClient(t)
	ctx := Context(t, time.Minute)
	instance := Instance(t, cli)
	err := BuildImage(ctx, cli, "qs-test-"+instance+"/broken:v1", map[string]string{dockernames.LabelInstance: instance},
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY missing /missing\n")})
	assert.ErrorContains(t, err, "build qs-test-"+instance+"/broken:v1: ")
}
