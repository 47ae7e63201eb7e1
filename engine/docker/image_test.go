package docker

import (
	"context"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

// buildTestImage builds a small image tagged tag with labels; its content
// is unique to the tag. It is removed when the test ends.
func buildTestImage(ctx context.Context, t *testing.T, tag string, labels map[string]string) string {
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, tag, labels,
		map[string][]byte{"Dockerfile": []byte("FROM " + testImage + "\nCOPY f /f\n"), "f": []byte(tag)}))
	info, err := testCLI.ImageInspect(ctx, tag)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = testCLI.ImageRemove(context.Background(), info.ID, image.RemoveOptions{Force: true})
	})
	return info.ID
}

// imageExists reports whether ref names an image.
func imageExists(ctx context.Context, t *testing.T, ref string) bool {
	_, err := testCLI.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return false
	}
	require.NoError(t, err)
	return true
}

func TestRemoveImage(t *testing.T) {
	r := newTestRuntime(t)
	// Each step has its own minute: on a loaded daemon the builds of all
	// of them together can take longer.
	ours := func(app string) map[string]string {
		return map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: app, dockernames.LabelRelease: "1"}
	}

	t.Run("removes ours by ID, with its tags", func(t *testing.T) {
		ctx := testCtx(t)
		tag := "qs-" + r.instance + "/byid:v1"
		id := buildTestImage(ctx, t, tag, ours("byid"))
		require.NoError(t, testCLI.ImageTag(ctx, tag, "qs-"+r.instance+"/byid:v2"))
		require.NoError(t, r.RemoveImage(ctx, id))
		assert.False(t, imageExists(ctx, t, id))
		assert.False(t, imageExists(ctx, t, tag))
		assert.False(t, imageExists(ctx, t, "qs-"+r.instance+"/byid:v2"))
		assert.True(t, imageExists(ctx, t, testImage), "its parent stays")
	})
	t.Run("removes ours by tag", func(t *testing.T) {
		ctx := testCtx(t)
		tag := "qs-" + r.instance + "/bytag:v1"
		id := buildTestImage(ctx, t, tag, ours("bytag"))
		require.NoError(t, r.RemoveImage(ctx, tag))
		assert.False(t, imageExists(ctx, t, id))
	})
	t.Run("missing is fine", func(t *testing.T) {
		ctx := testCtx(t)
		assert.NoError(t, r.RemoveImage(ctx, "qs-"+r.instance+"/none:v1"))
		assert.NoError(t, r.RemoveImage(ctx, "sha256:"+dockertest.RandomHex(32)))
	})
	t.Run("refuses foreign images and leaves them", func(t *testing.T) {
		other := dockertest.Instance(t, testCLI)
		foreign := map[string]map[string]string{
			"unlabelled":       nil,
			"another instance": {dockernames.LabelInstance: other, dockernames.LabelApp: "x", dockernames.LabelRelease: "1"},
		}
		for name, labels := range foreign {
			t.Run(name, func(t *testing.T) {
				ctx := testCtx(t)
				tag := "qs-test-" + r.instance + "/foreign-" + dockertest.RandomHex(2) + ":v1"
				id := buildTestImage(ctx, t, tag, labels)
				for _, ref := range []string{id, tag} {
					err := r.RemoveImage(ctx, ref)
					assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "err: %v", err)
					assert.Contains(t, engine.ErrorMessage(err), "not built by this Quayside server")
				}
				assert.True(t, imageExists(ctx, t, tag), "left alone, tag included")
			})
		}
	})
	t.Run("keeps one in use by a running container", func(t *testing.T) {
		ctx := testCtx(t)
		tag := "qs-" + r.instance + "/running:v1"
		id := buildTestImage(ctx, t, tag, ours("running"))
		spec := webSpec("running")
		spec.Image = id
		c, err := r.Start(ctx, spec)
		require.NoError(t, err)
		assert.NoError(t, r.RemoveImage(ctx, id))
		assert.NoError(t, r.RemoveImage(ctx, tag))
		assert.True(t, imageExists(ctx, t, tag), "kept, tag included")
		require.NoError(t, r.Stop(ctx, c.ID, 0))
		require.NoError(t, r.RemoveImage(ctx, id), "once unused it goes")
		assert.False(t, imageExists(ctx, t, id))
	})
	t.Run("keeps one in use by a stopped container", func(t *testing.T) {
		ctx := testCtx(t)
		tag := "qs-" + r.instance + "/stopped:v1"
		id := buildTestImage(ctx, t, tag, ours("stopped"))
		_, err := testCLI.ContainerCreate(ctx, &container.Config{Image: tag, Labels: ours("stopped")}, nil, nil, nil, "")
		require.NoError(t, err)
		require.NoError(t, testCLI.ImageTag(ctx, tag, "qs-"+r.instance+"/stopped:v2"))
		assert.NoError(t, r.RemoveImage(ctx, id))
		assert.True(t, imageExists(ctx, t, tag), "kept, tags included")
		assert.True(t, imageExists(ctx, t, "qs-"+r.instance+"/stopped:v2"))
	})
	t.Run("keeps one another image is built on", func(t *testing.T) {
		ctx := testCtx(t)
		tag := "qs-" + r.instance + "/base:v1"
		id := buildTestImage(ctx, t, tag, ours("base"))
		require.NoError(t, dockertest.BuildImage(ctx, testCLI, "qs-"+r.instance+"/child:v1", ours("base"),
			map[string][]byte{"Dockerfile": []byte("FROM " + tag + "\nCOPY g /g\n"), "g": []byte("child")}))
		require.NoError(t, testCLI.ImageTag(ctx, tag, "qs-"+r.instance+"/base:v2"))
		assert.NoError(t, r.RemoveImage(ctx, id))
		assert.True(t, imageExists(ctx, t, "qs-"+r.instance+"/base:v1"), "kept, tags included")
		assert.True(t, imageExists(ctx, t, "qs-"+r.instance+"/base:v2"))
	})
	t.Run("needs a ref", func(t *testing.T) {
		ctx := testCtx(t)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.RemoveImage(ctx, "")))
	})
}
