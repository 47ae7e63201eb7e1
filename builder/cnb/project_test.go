package cnb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestReadProject(t *testing.T) {
	write := func(t *testing.T, body string) string {
		t.Helper()
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "project.toml"), []byte(body), 0o600))
		return dir
	}
	t.Run("no project.toml", func(t *testing.T) {
		d, err := readProject(t.TempDir(), newOutput(nil))
		require.NoError(t, err)
		assert.Empty(t, d.Build.Env)
	})
	t.Run("build env and excludes are kept", func(t *testing.T) {
		dir := write(t, "[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nexclude = [\"secrets/\"]\n[[io.buildpacks.build.env]]\nname = \"GREETING\"\nvalue = \"hi\"\n")
		d, err := readProject(dir, newOutput(nil))
		require.NoError(t, err)
		require.Len(t, d.Build.Env, 1)
		assert.Equal(t, "GREETING", d.Build.Env[0].Name)
		assert.Equal(t, []string{"secrets/"}, d.Build.Exclude)
	})
	// Attack: project.toml names a buildpack by URL, which pack would fetch
	// from the server's network, or a builder of its own.
	t.Run("buildpacks and builder are dropped", func(t *testing.T) {
		dir := write(t, "[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nbuilder = \"evil/builder\"\n[[io.buildpacks.group]]\nuri = \"http://127.0.0.1:9/bp.tgz\"\n[[io.buildpacks.pre.group]]\nuri = \"docker://x/y\"\n")
		out := newOutput(nil)
		d, err := readProject(dir, out)
		require.NoError(t, err)
		assert.Empty(t, d.Build.Buildpacks)
		assert.Empty(t, d.Build.Pre.Buildpacks)
		assert.Empty(t, d.Build.Builder)
		assert.Contains(t, out.Tail(5), "project.toml names buildpacks: ignored")
	})
	t.Run("bad project.toml is EINVALID", func(t *testing.T) {
		for _, body := range []string{"[io.buildpacks\n", "[_]\nschema-version = \"9\"\n",
			"[_]\nschema-version = \"0.2\"\n[[io.buildpacks.build.env]]\nname = \"../../etc/x\"\nvalue = \"1\"\n"} {
			_, err := readProject(write(t, body), newOutput(nil))
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), body)
		}
	})
	// Attack: project.toml links to a file of the server; it is not read.
	t.Run("a link is refused", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "project.toml")))
		_, err := readProject(dir, newOutput(nil))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "not a regular file")
	})
}
