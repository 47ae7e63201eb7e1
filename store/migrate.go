package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// builtinMigrations are the migrations compiled into this binary. Broken
// embedded files are a build mistake, caught by any test of this package.
var builtinMigrations = mustLoadMigrations(migrationFS)

// SchemaVersion is the newest schema version this binary knows: the number
// of its last embedded migration.
func SchemaVersion() int {
	return builtinMigrations[len(builtinMigrations)-1].version
}

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads migrations/NNNN_name.sql from fsys. Their numbers
// must run 1, 2, 3, ... without gaps.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	ms := make([]migration, 0, len(names))
	for i, name := range names {
		m, err := loadMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		if m.version != i+1 {
			return nil, fmt.Errorf("load migrations: %s should be number %d", name, i+1)
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("load migrations: none found")
	}
	return ms, nil
}

func loadMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	num, _, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return migration{}, fmt.Errorf("load migrations: %s is not named NNNN_name.sql", name)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, fmt.Errorf("read migration: %w", err)
	}
	return migration{version: v, name: base, sql: string(b)}, nil
}

// migrate applies the migrations the database lacks, each in its own write
// transaction together with its row in schema_migrations. It refuses a
// database whose schema is newer than ms.
func migrate(ctx context.Context, db *sql.DB, ms []migration, now func() time.Time, dbPath string) error {
	for _, m := range ms {
		if err := applyMigration(ctx, db, m, len(ms), now, dbPath); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, known int, now func() time.Time, dbPath string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if cur > known {
		return newerSchema(dbPath, cur, known)
	}
	if cur >= m.version {
		return nil
	}
	if err := runMigration(ctx, tx, m, now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", m.name, err)
	}
	return nil
}

// schemaVersion is the highest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var v int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func runMigration(ctx context.Context, tx *sql.Tx, m migration, at time.Time) error {
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, err)
	}
	const q = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if _, err := tx.ExecContext(ctx, q, m.version, m.name, formatTime(at)); err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	return nil
}

func newerSchema(dbPath string, have, known int) error {
	return engine.Errorf(engine.EUNAVAILABLE,
		"database %s was written by a newer Quayside (schema version %d; this Quayside knows up to %d): upgrade Quayside to open it",
		dbPath, have, known)
}
