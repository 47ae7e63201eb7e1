package store

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	// Hold several connections at once so the pool must open new ones.
	for i := range 3 {
		conn, err := db.sql.Conn(ctx)
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		pragma := func(name string) string {
			var v string
			require.NoError(t, conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v))
			return v
		}
		assert.Equal(t, "wal", pragma("journal_mode"), "conn %d", i)
		assert.Equal(t, "1", pragma("foreign_keys"), "conn %d", i)
		assert.Equal(t, "2", pragma("synchronous"), "conn %d: synchronous=FULL", i)
		assert.Equal(t, "10000", pragma("busy_timeout"), "conn %d", i)
	}
}

func TestWriteTransactionsTakeTheWriteLockAtBegin(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.db")
	db := openAt(t, path)
	ctx := t.Context()

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_txlock=immediate")
	require.NoError(t, err)
	defer func() { _ = other.Close() }()

	tx, err := db.sql.BeginTx(ctx, nil) // no statement run yet
	require.NoError(t, err)
	_, err = other.BeginTx(ctx, nil)
	assert.Equal(t, "unavailable", engine.ErrorCode(mapError(err, "begin")), "a second writer must be locked out: %v", err)

	// Readers are not blocked by the writer.
	_, _, err = db.Setting(ctx, "x")
	require.NoError(t, err)

	require.NoError(t, tx.Rollback())
	tx2, err := other.BeginTx(ctx, nil)
	require.NoError(t, err, "the lock is free after rollback")
	require.NoError(t, tx2.Rollback())
}

func TestOpenFilePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := openAt(t, path)
	require.NoError(t, db.SetSetting(t.Context(), "k", "v"))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
}

func TestOpenBadInput(t *testing.T) {
	t.Run("short key", func(t *testing.T) {
		_, err := Open(t.Context(), filepath.Join(t.TempDir(), "q.db"), make([]byte, 16))
		requireCode(t, err, engine.EINVALID, "16 bytes", "32")
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := Open(t.Context(), filepath.Join(t.TempDir(), "nope", "q.db"), testKey)
		require.Error(t, err)
	})
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "q.db")
		require.NoError(t, os.WriteFile(path, []byte("this is not a SQLite database, not at all, no"), 0o600))
		_, err := Open(t.Context(), path, testKey)
		require.Error(t, err)
	})
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?x=1#frag%20")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "q.db")
	db := openAt(t, path)
	require.NoError(t, db.SetSetting(t.Context(), "k", "v"))
	_, err := os.Stat(path)
	require.NoError(t, err, "the database lives at the literal path")
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := Open(t.Context(), path, testKey)
	require.NoError(t, err)
	ctx := t.Context()
	app := &engine.App{Name: "web", CreatedBy: "alice"}
	require.NoError(t, db.CreateApp(ctx, app))
	cv := &engine.ConfigVersion{App: "web", Vars: map[string]string{"A": "1"}}
	require.NoError(t, db.CreateConfigVersion(ctx, cv))
	r := &engine.Release{App: "web", ConfigVersion: 1}
	require.NoError(t, db.CreateRelease(ctx, r))
	require.NoError(t, db.ActivateRelease(ctx, "web", r.Number, time.Now()))
	require.NoError(t, db.Close())

	db2 := openAt(t, path)
	got, err := db2.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, 1, got.CurrentRelease)
	assert.True(t, app.CreatedAt.Equal(got.CreatedAt))
	gotCV, err := db2.FindConfigVersion(ctx, "web", 1)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"A": "1"}, gotCV.Vars)
}

func TestDefaultNowIsUTC(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "q.db"))
	before := time.Now()
	app := mustCreateApp(t, db, "web")
	assert.Equal(t, time.UTC, app.CreatedAt.Location())
	assert.WithinDuration(t, before, app.CreatedAt, time.Minute)
}

func TestInjectedNowInOtherZoneIsStoredAsUTC(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "q.db"))
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2030, 1, 2, 3, 4, 5, 999999999, zone)
	db.Now = func() time.Time { return at }
	app := mustCreateApp(t, db, "web")
	got, err := db.FindApp(t.Context(), "web")
	require.NoError(t, err)
	assert.Equal(t, at.UTC(), got.CreatedAt)
	assert.Equal(t, app.CreatedAt, got.CreatedAt)
}
