package docker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

func TestImageArchive(t *testing.T) {
	ctx := testCtx(t)
	instance := dockertest.Instance(t, testCLI)
	ours := "qs-" + instance + "/shop:v1"
	buildTestImage(ctx, t, ours, map[string]string{dockernames.LabelInstance: instance, dockernames.LabelApp: "shop", dockernames.LabelRelease: "1"})
	foreign := "qs-test-" + instance + "/foreign:v1"
	buildTestImage(ctx, t, foreign, map[string]string{dockernames.LabelInstance: "someone-else"})

	dst := filepath.Join(t.TempDir(), "images.tar")
	saved, err := ImageArchive{}.Save(ctx, instance, []string{ours, "", foreign, ours, "qs-" + instance + "/gone:v1"}, dst)
	require.NoError(t, err)
	assert.Equal(t, []string{ours}, saved, "only this instance's images, each once; pruned ones are skipped")
	require.FileExists(t, dst)

	_, err = testCLI.ImageRemove(ctx, ours, image.RemoveOptions{Force: true})
	require.NoError(t, err)
	require.False(t, imageExists(ctx, t, ours))
	require.NoError(t, ImageArchive{}.Load(ctx, dst))
	assert.True(t, imageExists(ctx, t, ours), "loaded back")

	t.Run("nothing to save writes nothing", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "images.tar")
		saved, err := ImageArchive{}.Save(ctx, instance, []string{foreign}, dst)
		require.NoError(t, err)
		assert.Empty(t, saved)
		assert.NoFileExists(t, dst)
	})
	t.Run("a damaged archive is refused", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "images.tar")
		require.NoError(t, os.WriteFile(bad, []byte("not a tar"), 0o600))
		assert.Error(t, ImageArchive{}.Load(ctx, bad))
	})
}

func TestReadLoadStream(t *testing.T) {
	assert.NoError(t, readLoadStream(strings.NewReader(`{"stream":"Loaded image: x\n"}`)))
	err := readLoadStream(strings.NewReader(`{"stream":"a"}{"error":"no space left","errorDetail":{"message":"no space left"}}`))
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "no space left")
	assert.Error(t, readLoadStream(strings.NewReader(`{not json`)))
}

func TestConnect(t *testing.T) {
	cli, err := Connect(testCtx(t))
	require.NoError(t, err)
	require.NoError(t, cli.Close())
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	_, err = Connect(context.Background())
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "is dockerd running?")
}
