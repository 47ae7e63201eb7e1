package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// Setting returns the value stored under key and whether there is one.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var value string
	var ok bool
	err := db.view(ctx, "read setting", func(tx *sql.Tx) (err error) {
		value, ok, err = findSetting(ctx, tx, key)
		return err
	})
	return value, ok, err
}

// SetSetting stores value under key, replacing any previous value. An empty
// key is EINVALID.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return engine.FieldError("key", "setting name is empty")
	}
	return db.update(ctx, "write setting", func(tx *sql.Tx) error {
		return setSetting(ctx, tx, key, value)
	})
}

func findSetting(ctx context.Context, tx *sql.Tx, key string) (string, bool, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

func setSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	const q = `INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`
	if _, err := tx.ExecContext(ctx, q, key, value); err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}
