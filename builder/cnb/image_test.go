package cnb

import (
	"context"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

func TestLabelImage(t *testing.T) {
	needDocker(t)
	ctx := dockertest.Context(t, time.Minute)
	instance := dockertest.Instance(t, testCLI)
	b := New(Config{Docker: testCLI, Instance: instance})
	from := packTag(instance, "shop", 3)
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, from, map[string]string{labelBuildMetadata: buildMetadataSample},
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY marker /marker\nCMD [\"/marker\"]\n"), "marker": []byte(instance)}))
	t.Cleanup(func() { _, _ = testCLI.ImageRemove(context.Background(), from, image.RemoveOptions{Force: true}) })
	packed, err := testCLI.ImageInspect(ctx, from)
	require.NoError(t, err)

	id, err := b.labelImage(ctx, engine.BuildRequest{App: "shop", Release: 3}, from)
	require.NoError(t, err)
	b.untag(from)

	t.Run("tags and labels the release image", func(t *testing.T) {
		info, err := testCLI.ImageInspect(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, []string{dockernames.ImageTag(instance, "shop", 3)}, info.RepoTags)
		assert.Equal(t, instance, info.Config.Labels[dockernames.LabelInstance])
		assert.Equal(t, "shop", info.Config.Labels[dockernames.LabelApp])
		assert.Equal(t, "3", info.Config.Labels[dockernames.LabelRelease])
		assert.Equal(t, buildMetadataSample, info.Config.Labels[labelBuildMetadata], "pack's labels stay")
		assert.Equal(t, packed.Config.Cmd, info.Config.Cmd, "and so does the rest of the config")
		assert.Equal(t, packed.RootFS.Layers, info.RootFS.Layers, "no layer is added")
	})
	t.Run("removes pack's tag and keeps its image as the parent", func(t *testing.T) {
		_, err := testCLI.ImageInspect(ctx, from)
		assert.True(t, cerrdefs.IsNotFound(err), "tag %s: %v", from, err)
		_, err = testCLI.ImageInspect(ctx, packed.ID)
		assert.NoError(t, err)
	})
	t.Run("describes the image", func(t *testing.T) {
		img, err := b.image(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, img.Ref)
		assert.Equal(t, "buildpacks", img.Method)
		assert.Zero(t, img.Port)
		assert.Equal(t, []string{"web", "worker", "release"}, processTypes(img.Processes))
	})
	t.Run("finds it as the previous image of a later release", func(t *testing.T) {
		prev, err := b.previousImage(ctx, "shop", 4)
		require.NoError(t, err)
		assert.Equal(t, dockernames.ImageTag(instance, "shop", 3), prev)
		prev, err = b.previousImage(ctx, "shop", 3)
		require.NoError(t, err)
		assert.Empty(t, prev, "not of itself")
		prev, err = b.previousImage(ctx, "other", 4)
		require.NoError(t, err)
		assert.Empty(t, prev, "not of another app")
	})
}

// processTypes lists the types of ps in order.
func processTypes(ps []engine.Process) []string {
	var types []string
	for _, p := range ps {
		types = append(types, p.Type)
	}
	return types
}

func TestRemoveLeftovers(t *testing.T) {
	needDocker(t)
	ctx := dockertest.Context(t, time.Minute)
	instance := dockertest.Instance(t, testCLI)
	b := New(Config{Docker: testCLI, Instance: instance})
	tag := "qs-" + instance + "/leftover:v1"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, tag, map[string]string{dockernames.LabelInstance: instance},
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY marker /marker\nCMD [\"/marker\"]\n"), "marker": []byte(instance)}))
	d := newPackDocker(testCLI, 0, buildLabels(instance, "shop"))
	c, err := d.ContainerCreate(ctx, &container.Config{Image: tag}, nil, nil, nil, "")
	require.NoError(t, err)
	n, err := d.NetworkCreate(ctx, "qs-"+instance+"-leftover", network.CreateOptions{})
	require.NoError(t, err)

	require.NoError(t, b.RemoveLeftovers(ctx))
	_, err = testCLI.ContainerInspect(ctx, c.ID)
	assert.True(t, cerrdefs.IsNotFound(err), "container: %v", err)
	_, err = testCLI.NetworkInspect(ctx, n.ID, network.InspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "network: %v", err)
	require.NoError(t, b.RemoveLeftovers(ctx), "nothing left is fine")
}
