package docker

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

func TestJanitorImages(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	labels := func(rel string) map[string]string {
		return map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: "shop", dockernames.LabelRelease: rel}
	}
	v1 := buildTestImage(ctx, t, "qs-"+r.instance+"/shop:v1", labels("1"))
	v2 := buildTestImage(ctx, t, "qs-"+r.instance+"/shop:v2", labels("2"))
	foreign := buildTestImage(ctx, t, "qs-test-"+r.instance+"/foreign:v1", nil)

	imgs, err := r.Images(ctx)
	require.NoError(t, err)
	byID := map[string]engine.StoredImage{}
	for _, img := range imgs {
		byID[img.ID] = img
	}
	require.Len(t, byID, 2, "only this instance's images: %+v", imgs)
	assert.NotContains(t, byID, foreign)
	assert.Equal(t, []string{"qs-" + r.instance + "/shop:v1"}, byID[v1].Tags)
	assert.Equal(t, "shop", byID[v2].App)
	assert.Equal(t, 2, byID[v2].Release)
	assert.Positive(t, byID[v1].Bytes, "its own layer")
	assert.Less(t, byID[v1].Bytes, int64(1<<20), "the shared base is not counted")
	assert.False(t, byID[v1].Created.IsZero())
}

// createContainer creates (and with start, starts then stops) a container
// of the test image with labels, removed when the test ends.
func createContainer(ctx context.Context, t *testing.T, labels map[string]string, stop bool) string {
	t.Helper()
	c, err := testCLI.ContainerCreate(ctx, &container.Config{Image: testImage, Labels: labels}, nil, nil, nil, "")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = testCLI.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	})
	if stop {
		require.NoError(t, testCLI.ContainerStart(ctx, c.ID, container.StartOptions{}))
		timeout := 0
		require.NoError(t, testCLI.ContainerStop(ctx, c.ID, container.StopOptions{Timeout: &timeout}))
	}
	return c.ID
}

func containerExists(ctx context.Context, t *testing.T, id string) bool {
	_, err := testCLI.ContainerInspect(ctx, id)
	if isNotFound(err) {
		return false
	}
	require.NoError(t, err)
	return true
}

func TestJanitorRemoveStoppedContainers(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	ours := map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: "shop", dockernames.LabelRelease: "1", LabelProcess: "web"}
	exited := createContainer(ctx, t, ours, true)
	created := createContainer(ctx, t, ours, false)
	foreign := createContainer(ctx, t, map[string]string{"io.quayside.test": r.instance}, true)
	running, err := r.Start(ctx, webSpec("shop"))
	require.NoError(t, err)

	t.Run("keeps containers stopped for less than the delay", func(t *testing.T) {
		items, err := r.RemoveStoppedContainers(ctx, time.Hour)
		require.NoError(t, err)
		assert.Empty(t, items)
		assert.True(t, containerExists(ctx, t, exited))
	})
	t.Run("removes this instance's stopped and never started ones", func(t *testing.T) {
		items, err := r.RemoveStoppedContainers(ctx, 0)
		require.NoError(t, err)
		require.Len(t, items, 2)
		for _, it := range items {
			assert.Equal(t, engine.GCContainer, it.Kind)
			assert.Equal(t, "shop", it.App)
			assert.NotEmpty(t, it.Name)
		}
		assert.False(t, containerExists(ctx, t, exited))
		assert.False(t, containerExists(ctx, t, created))
		assert.True(t, containerExists(ctx, t, foreign), "a container without our label is never touched")
		assert.True(t, containerExists(ctx, t, running.ID), "a running container stays")
	})
}

func TestJanitorBuildCaches(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	other := dockertest.RandomHex(4)
	names := []string{
		"qs-" + r.instance + "-shop-cache-build", "qs-" + r.instance + "-shop-cache-launch",
		"qs-" + r.instance + "-my-api-cache-build",
		"qs-" + r.instance + "-shop-something-else", // not a cache
		"qs-" + other + "-shop-cache-build",         // another instance's
	}
	for _, n := range names {
		_, err := testCLI.VolumeCreate(ctx, volume.CreateOptions{Name: n})
		require.NoError(t, err)
	}
	t.Cleanup(func() { _ = testCLI.VolumeRemove(context.Background(), names[4], true) })

	caches, err := r.BuildCaches(ctx)
	require.NoError(t, err)
	byApp := map[string]engine.BuildCache{}
	for _, c := range caches {
		byApp[c.App] = c
	}
	require.Len(t, byApp, 2, "%+v", caches)
	assert.ElementsMatch(t, names[:2], byApp["shop"].Volumes)
	assert.Equal(t, []string{names[2]}, byApp["my-api"].Volumes)

	t.Run("a cache in use stays", func(t *testing.T) {
		c, err := testCLI.ContainerCreate(ctx, &container.Config{Image: testImage}, &container.HostConfig{
			Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: names[2], Target: "/cache"}},
		}, nil, nil, "")
		require.NoError(t, err)
		err = r.RemoveBuildCache(ctx, "my-api")
		assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "err: %v", err)
		require.NoError(t, testCLI.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}))
	})
	t.Run("removes both volumes of an app, and only them", func(t *testing.T) {
		require.NoError(t, r.RemoveBuildCache(ctx, "shop"))
		require.NoError(t, r.RemoveBuildCache(ctx, "shop"), "missing volumes are fine")
		left, err := r.BuildCaches(ctx)
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, "my-api", left[0].App)
		_, err = testCLI.VolumeInspect(ctx, names[3])
		assert.NoError(t, err, "a volume that is not a cache stays")
		_, err = testCLI.VolumeInspect(ctx, names[4])
		assert.NoError(t, err, "another instance's cache stays")
	})
	t.Run("refuses names that are not app names", func(t *testing.T) {
		err := r.RemoveBuildCache(ctx, "../x")
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
}
