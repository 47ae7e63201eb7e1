package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestBackupTo(t *testing.T) {
	t.Run("copies a database in use, private to its owner", func(t *testing.T) {
		db, _ := openTest(t)
		mustCreateApp(t, db, "web")
		require.NoError(t, db.SetSetting(t.Context(), "instance_id", "abcd1234"))
		dst := filepath.Join(t.TempDir(), "copy.db")

		require.NoError(t, db.BackupTo(t.Context(), dst))
		mustCreateApp(t, db, "later") // the original stays usable

		fi, err := os.Stat(dst)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		assert.NoFileExists(t, dst+"-wal", "the copy is one complete file")
		cp := openAt(t, dst)
		apps, err := cp.ListApps(t.Context())
		require.NoError(t, err)
		require.Len(t, apps, 1)
		assert.Equal(t, "web", apps[0].Name)
		id, ok, err := cp.Setting(t.Context(), "instance_id")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "abcd1234", id)
	})
	t.Run("refuses to overwrite a file", func(t *testing.T) {
		db, _ := openTest(t)
		dst := filepath.Join(t.TempDir(), "copy.db")
		require.NoError(t, os.WriteFile(dst, []byte("keep me"), 0o600))
		require.Error(t, db.BackupTo(t.Context(), dst))
		b, err := os.ReadFile(dst)
		require.NoError(t, err)
		assert.Equal(t, "keep me", string(b))
	})
	t.Run("a missing directory is an error and leaves nothing", func(t *testing.T) {
		db, _ := openTest(t)
		dst := filepath.Join(t.TempDir(), "nope", "copy.db")
		require.Error(t, db.BackupTo(t.Context(), dst))
		assert.NoFileExists(t, dst)
	})
}

func TestBackupFile(t *testing.T) {
	t.Run("copies the file of a database another handle has open", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "quayside.db")
		db := openAt(t, src)
		mustCreateApp(t, db, "api")
		dst := filepath.Join(dir, "copy.db")

		require.NoError(t, BackupFile(t.Context(), src, dst))

		fi, err := os.Stat(dst)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		apps, err := openAt(t, dst).ListApps(t.Context())
		require.NoError(t, err)
		require.Len(t, apps, 1)
		assert.Equal(t, "api", apps[0].Name)
	})
	t.Run("a missing database is ENOTFOUND and is not created", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "quayside.db")
		err := BackupFile(t.Context(), src, filepath.Join(dir, "copy.db"))
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		assert.NoFileExists(t, src)
		assert.NoFileExists(t, filepath.Join(dir, "copy.db"))
	})
	t.Run("a file that is not a database is an error", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "quayside.db")
		require.NoError(t, os.WriteFile(src, []byte("this is not SQLite, not at all, no header here......"), 0o600))
		require.Error(t, BackupFile(t.Context(), src, filepath.Join(dir, "copy.db")))
		assert.NoFileExists(t, filepath.Join(dir, "copy.db"))
	})
}
