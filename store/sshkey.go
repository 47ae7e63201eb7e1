package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// AddKey stores k and sets its CreatedAt, with k.User lowercased. A name or
// fingerprint that is already present is ECONFLICT; an empty one is
// EINVALID; a User that does not exist ENOTFOUND. k.Owner must say whom
// the key acts as: KeyOwnerUser with a User, or KeyOwnerServer (or
// KeyOwnerLegacy) without one; an empty Owner is KeyOwnerUser. Anything
// else is EINVALID. Removing the user removes the key.
func (db *DB) AddKey(ctx context.Context, k *engine.Key) error {
	if k.Name == "" || k.Fingerprint == "" {
		return engine.FieldError("key", "a key needs a name and a fingerprint")
	}
	key := *k
	key.CreatedAt = db.now()
	err := db.update(ctx, "add key", func(tx *sql.Tx) error {
		return addKey(ctx, tx, &key)
	})
	if err != nil {
		return err
	}
	*k = key
	return nil
}

// ListKeys returns all keys ordered by name.
func (db *DB) ListKeys(ctx context.Context) ([]*engine.Key, error) {
	var keys []*engine.Key
	err := db.view(ctx, "list keys", func(tx *sql.Tx) (err error) {
		keys, err = listKeys(ctx, tx)
		return err
	})
	return keys, err
}

// FindKeyByFingerprint returns the key with the given SHA256 fingerprint,
// ENOTFOUND if none.
func (db *DB) FindKeyByFingerprint(ctx context.Context, fingerprint string) (*engine.Key, error) {
	var k *engine.Key
	err := db.view(ctx, "find key", func(tx *sql.Tx) (err error) {
		k, err = findKey(ctx, tx, `fingerprint = ?`, fingerprint)
		if errors.Is(err, sql.ErrNoRows) {
			return engine.Errorf(engine.ENOTFOUND, "no key with fingerprint %s", fingerprint)
		}
		return err
	})
	return k, err
}

// RemoveKey deletes the key called name, ENOTFOUND if there is none.
func (db *DB) RemoveKey(ctx context.Context, name string) error {
	return db.update(ctx, "remove key", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM ssh_keys WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("remove key: %w", err)
		}
		return mustHaveChanged(res, engine.Errorf(engine.ENOTFOUND, "key %q not found", name))
	})
}

func addKey(ctx context.Context, tx *sql.Tx, k *engine.Key) error {
	if err := checkKeyFree(ctx, tx, k); err != nil {
		return err
	}
	if err := checkKeyUser(ctx, tx, k); err != nil {
		return err
	}
	const q = `INSERT INTO ssh_keys (name, fingerprint, public_key, user, owner, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, q, k.Name, k.Fingerprint, k.PublicKey, nullString(k.User), k.Owner, formatTime(k.CreatedAt))
	return err
}

// checkKeyFree returns ECONFLICT when k's name or fingerprint is taken.
func checkKeyFree(ctx context.Context, tx *sql.Tx, k *engine.Key) error {
	_, err := findKey(ctx, tx, `name = ?`, k.Name)
	if err == nil {
		return engine.Errorf(engine.ECONFLICT, "key %q already exists: choose another name or remove it first", k.Name)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	other, err := findKey(ctx, tx, `fingerprint = ?`, k.Fingerprint)
	if err == nil && other.User == k.User {
		return engine.Errorf(engine.ECONFLICT, "this key is already added as %q", other.Name)
	}
	if err == nil {
		return engine.Errorf(engine.ECONFLICT, "this key is already added for another account: one key pushes as one person, so make a key of your own (ssh-keygen -t ed25519)")
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

const keySelect = `SELECT name, fingerprint, public_key, owner, COALESCE(user, ''), created_at FROM ssh_keys`

// findKey returns the key matching where (one condition on one argument);
// sql.ErrNoRows if none.
func findKey(ctx context.Context, tx *sql.Tx, where string, arg any) (*engine.Key, error) {
	return scanKey(tx.QueryRowContext(ctx, keySelect+` WHERE `+where, arg))
}

func listKeys(ctx context.Context, tx *sql.Tx) ([]*engine.Key, error) {
	return queryAll(ctx, tx, "list keys", scanKey, keySelect+` ORDER BY name`)
}

func scanKey(row rowScanner) (*engine.Key, error) {
	var k engine.Key
	var created string
	if err := row.Scan(&k.Name, &k.Fingerprint, &k.PublicKey, &k.Owner, &k.User, &created); err != nil {
		return nil, err
	}
	var err error
	k.CreatedAt, err = parseTime(created)
	return &k, err
}
