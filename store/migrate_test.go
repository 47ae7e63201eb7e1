package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSchemaVersionMatchesEmbeddedMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFS)
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	assert.Equal(t, len(ms), SchemaVersion())
	assert.Equal(t, "0001_init.sql", ms[0].name)
}

func appliedVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var vs []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		vs = append(vs, v)
	}
	require.NoError(t, rows.Err())
	return vs
}

func TestMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	for range 3 {
		db, err := Open(t.Context(), path, testKey)
		require.NoError(t, err)
		want := make([]int, SchemaVersion())
		for i := range want {
			want[i] = i + 1
		}
		assert.Equal(t, want, appliedVersions(t, db.sql))
		require.NoError(t, db.Close())
	}
}

// rawDB is a bare connection with the store's settings and no migrations.
func rawDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "raw.db")))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func testMigrations(t *testing.T, files map[string]string) []migration {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys["migrations/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	ms, err := loadMigrations(fsys)
	require.NoError(t, err)
	return ms
}

func TestMigrateAppliesInOrderAndOnlyOnce(t *testing.T) {
	db := rawDB(t)
	ctx := t.Context()
	ms := testMigrations(t, map[string]string{
		"0002_add.sql":    `INSERT INTO t (v) VALUES ('second');`,
		"0001_create.sql": `CREATE TABLE t (v TEXT); INSERT INTO t (v) VALUES ('first');`,
	})
	require.NoError(t, migrate(ctx, db, ms, time.Now, "raw.db"))
	require.NoError(t, migrate(ctx, db, ms, time.Now, "raw.db"))
	var got []string
	rows, err := db.Query(`SELECT v FROM t ORDER BY rowid`)
	require.NoError(t, err)
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		got = append(got, v)
	}
	require.NoError(t, rows.Close())
	assert.Equal(t, []string{"first", "second"}, got)
	assert.Equal(t, []int{1, 2}, appliedVersions(t, db))
}

func TestMigrateFailureLeavesNoTrace(t *testing.T) {
	db := rawDB(t)
	ctx := t.Context()
	ms := testMigrations(t, map[string]string{
		"0001_ok.sql":     `CREATE TABLE t (v TEXT);`,
		"0002_broken.sql": `CREATE TABLE u (v TEXT); INSERT INTO nowhere VALUES (1);`,
	})
	require.Error(t, migrate(ctx, db, ms, time.Now, "raw.db"))
	assert.Equal(t, []int{1}, appliedVersions(t, db))
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'u'`).Scan(&n))
	assert.Zero(t, n, "the failed migration's first statement was rolled back")
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"gap":        {"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}},
		"unnumbered": {"migrations/init.sql": {}},
		"zero":       {"migrations/0000_a.sql": {}},
		"none":       {},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadMigrations(fsys)
			assert.Error(t, err)
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := Open(t.Context(), path, testKey)
	require.NoError(t, err)
	newer := SchemaVersion() + 1
	rawExec(t, db, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 'x')`, newer)
	require.NoError(t, db.Close())

	_, err = Open(t.Context(), path, testKey)
	requireCode(t, err, engine.EUNAVAILABLE, "newer Quayside", "upgrade Quayside", path)
}
