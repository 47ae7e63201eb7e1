package unixsock

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run", "x.sock")

	t.Run("creates an owner-only socket in an owner-only dir", func(t *testing.T) {
		ln, err := Listen(path)
		require.NoError(t, err)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		di, err := os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())

		_, err = Listen(path)
		assert.ErrorContains(t, err, "in use by another process")
		ln.Close()
	})
	t.Run("replaces a stale socket", func(t *testing.T) {
		stale := filepath.Join(dir, "stale.sock")
		l, err := net.Listen("unix", stale)
		require.NoError(t, err)
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		l.Close()
		ln, err := Listen(stale)
		require.NoError(t, err)
		ln.Close()
	})
	t.Run("refuses to replace a regular file", func(t *testing.T) {
		file := filepath.Join(dir, "file")
		require.NoError(t, os.WriteFile(file, []byte("keep"), 0o600))
		_, err := Listen(file)
		assert.ErrorContains(t, err, "is not a socket")
		b, _ := os.ReadFile(file)
		assert.Equal(t, "keep", string(b))
	})
}
