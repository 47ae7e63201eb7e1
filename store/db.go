package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/quayside/quayside/engine"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// BusyTimeout is how long a statement waits for a lock another connection
// holds before it fails with EUNAVAILABLE.
const BusyTimeout = 10 * time.Second

// DB is Quayside's SQLite database. It implements engine.Store. Its methods
// are safe for concurrent use, and each runs in one transaction.
type DB struct {
	// Now returns the time recorded as CreatedAt. It defaults to
	// time.Now().UTC(); tests may replace it before the DB is first used.
	Now func() time.Time

	sql  *sql.DB
	aead cipher.AEAD
	path string
}

var _ engine.Store = (*DB)(nil)

// Open opens the database at path, creating the file with mode 0600 if it
// does not exist (its directory must), applies the embedded migrations and
// checks that key is the one the database's config was encrypted with. key
// must be 32 bytes (see LoadOrCreateKey). A database written by a newer
// Quayside yields *engine.Error EUNAVAILABLE, a wrong key EINVALID.
func Open(ctx context.Context, path string, key []byte) (*DB, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve database path: %w", err)
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{Now: defaultNow, sql: sqldb, aead: aead, path: abs}
	if err := db.init(ctx); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database. Calls in progress may fail.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

func defaultNow() time.Time { return time.Now().UTC() }

// now is the current time in UTC, without a monotonic reading.
func (db *DB) now() time.Time {
	if db.Now == nil {
		return defaultNow()
	}
	return db.Now().UTC()
}

// init checks the connection settings, migrates and checks the key.
func (db *DB) init(ctx context.Context) error {
	if err := db.checkJournalMode(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, db.sql, builtinMigrations, db.now, db.path); err != nil {
		return err
	}
	return db.checkKey(ctx)
}

// checkJournalMode fails when SQLite could not switch to WAL (on some
// network file systems it cannot).
func (db *DB) checkJournalMode(ctx context.Context) error {
	var mode string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if mode != "wal" {
		return engine.Errorf(engine.EUNAVAILABLE, "database %s cannot use write-ahead logging (journal mode is %q): put it on a local file system", db.path, mode)
	}
	return nil
}

// dsn is the modernc.org/sqlite data source name for path: every pooled
// connection gets the same pragmas, and transactions begin IMMEDIATE.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// createFile makes an empty database file readable only by its owner, so
// that SQLite, which gives its -wal and -shm files the same mode, never
// creates anything more open. An existing file is left as it is.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return nil
}
