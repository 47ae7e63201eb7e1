package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// The key check is a value sealed under the database's key when the
// database is first opened. Opening it again with another key fails at
// Open, with a clear message, instead of on the first config read.
const keyCheckName = "key_check"

var (
	keyCheckAAD   = []byte("quayside/keycheck/v1")
	keyCheckPlain = []byte("quayside config key")
)

// checkKey verifies the key against the stored check, storing one first if
// the database has none.
func (db *DB) checkKey(ctx context.Context) error {
	return db.update(ctx, "check encryption key", func(tx *sql.Tx) error {
		blob, err := findMeta(ctx, tx, keyCheckName)
		if errors.Is(err, sql.ErrNoRows) {
			return setMeta(ctx, tx, keyCheckName, seal(db.aead, keyCheckPlain, keyCheckAAD))
		}
		if err != nil {
			return err
		}
		if _, err := unseal(db.aead, blob, keyCheckAAD); err != nil {
			return wrongKey(db.path)
		}
		return nil
	})
}

func wrongKey(dbPath string) error {
	return engine.Errorf(engine.EINVALID,
		"the config encryption key does not match database %s: start Quayside with the key file this database was created with", dbPath)
}

func findMeta(ctx context.Context, tx *sql.Tx, name string) ([]byte, error) {
	var v []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = ?`, name).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read meta %s: %w", name, err)
	}
	return v, err
}

func setMeta(ctx context.Context, tx *sql.Tx, name string, value []byte) error {
	const q = `INSERT INTO meta (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`
	if _, err := tx.ExecContext(ctx, q, name, value); err != nil {
		return fmt.Errorf("write meta %s: %w", name, err)
	}
	return nil
}
