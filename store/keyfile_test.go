package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestLoadOrCreateKey(t *testing.T) {
	t.Run("creates a private random key and reads it back", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.key")
		key, err := LoadOrCreateKey(path)
		require.NoError(t, err)
		assert.Len(t, key, KeySize)
		assert.NotEqual(t, make([]byte, KeySize), key)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

		again, err := LoadOrCreateKey(path)
		require.NoError(t, err)
		assert.Equal(t, key, again)

		other, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "config.key"))
		require.NoError(t, err)
		assert.NotEqual(t, key, other, "each new key is random")
	})
	t.Run("reads an existing key", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.key")
		require.NoError(t, os.WriteFile(path, testKey, 0o600))
		key, err := LoadOrCreateKey(path)
		require.NoError(t, err)
		assert.Equal(t, testKey, key)
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "nope", "config.key"))
		require.Error(t, err)
	})
}

func TestLoadOrCreateKeyRefusesUnsafeFiles(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		mode  os.FileMode
		parts []string
	}{
		{"world readable", testKey, 0o604, []string{"other users", "chmod 600"}},
		{"group readable", testKey, 0o640, []string{"other users", "chmod 600"}},
		{"group writable", testKey, 0o620, []string{"chmod 600"}},
		{"too short", testKey[:16], 0o600, []string{"16 bytes", "exactly 32", "restore"}},
		{"too long", append(bytes.Clone(testKey), '\n'), 0o600, []string{"33 bytes", "exactly 32"}},
		{"empty", []byte{}, 0o600, []string{"0 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.key")
			require.NoError(t, os.WriteFile(path, tt.data, 0o600))
			require.NoError(t, os.Chmod(path, tt.mode))
			_, err := LoadOrCreateKey(path)
			requireCode(t, err, engine.EINVALID, append(tt.parts, path)...)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.data, data, "a refused key file is left alone")
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "config.key")
		require.NoError(t, os.Mkdir(dir, 0o700))
		_, err := LoadOrCreateKey(dir)
		requireCode(t, err, engine.EINVALID, "not a regular file")
	})
}
