package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

// BackupTo writes a consistent copy of the database to path while it stays
// in use: SQLite's VACUUM INTO reads it in one read transaction, so writes
// made meanwhile are either wholly in the copy or not at all. The copy is a
// complete database file (no write-ahead log beside it), readable by its
// owner only (mode 0600). path must not exist yet; its directory must.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	return vacuumInto(ctx, db.sql, path)
}

// BackupFile is BackupTo for a process that does not own the database,
// such as the CLI backing up the data dir of a running daemon: it opens the
// file at src without migrating or changing it and copies it to dst the same
// way. A missing src is *engine.Error ENOTFOUND.
func BackupFile(ctx context.Context, src, dst string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return fmt.Errorf("resolve database path: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return engine.Errorf(engine.ENOTFOUND, "there is no database at %s: is that the data dir (--data or QUAYSIDE_DATA)?", abs)
	}
	sqldb, err := sql.Open("sqlite", readerDSN(abs))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer func() { _ = sqldb.Close() }()
	return vacuumInto(ctx, sqldb, dst)
}

// readerDSN opens an existing database read-write (a reader of a WAL
// database may need to create its shared-memory file) without creating it
// and without changing its journal mode.
func readerDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Set("mode", "rw")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// vacuumInto copies the database behind sqldb to path. The file is
// created empty with mode 0600 first (VACUUM INTO accepts an empty file),
// so the copy is never readable by others, not even briefly.
func vacuumInto(ctx context.Context, sqldb *sql.DB, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create database copy: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database copy: %w", err)
	}
	if _, err := sqldb.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("copy database: %w", err)
	}
	return nil
}
