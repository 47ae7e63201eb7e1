package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/quayside/quayside/engine"
)

// CreateConfigVersion stores cv, assigning the app's next version number
// (one more than its highest, from 1) and CreatedAt. It does not make the
// version current. The variables are encrypted as one blob bound to the app
// and version; nil Vars is stored as an empty config.
func (db *DB) CreateConfigVersion(ctx context.Context, cv *engine.ConfigVersion) error {
	c := *cv
	c.Vars = maps.Clone(cv.Vars)
	if c.Vars == nil {
		c.Vars = map[string]string{}
	}
	c.RuntimeOnly = slices.Clone(cv.RuntimeOnly)
	c.CreatedAt = db.now()
	err := db.update(ctx, "create config version", func(tx *sql.Tx) error {
		return db.createConfigVersion(ctx, tx, &c)
	})
	if err != nil {
		return err
	}
	*cv = c
	return nil
}

// FindConfigVersion returns version of app's config. Version 0 is the empty
// config: no variables, a non-nil Vars, and a zero CreatedAt. A version the
// key cannot decrypt (another key, damaged or moved data) is EINTERNAL.
func (db *DB) FindConfigVersion(ctx context.Context, app string, version int) (*engine.ConfigVersion, error) {
	var cv *engine.ConfigVersion
	err := db.view(ctx, "find config version", func(tx *sql.Tx) (err error) {
		cv, err = db.findConfigVersion(ctx, tx, app, version)
		return err
	})
	return cv, err
}

// SetAppConfigVersion makes version (0 for the empty config) current for an
// app that has no current release. Once an app has one, config takes effect
// through new releases, so this is ECONFLICT.
func (db *DB) SetAppConfigVersion(ctx context.Context, app string, version int) error {
	return db.update(ctx, "set config version", func(tx *sql.Tx) error {
		return setAppConfigVersion(ctx, tx, app, version)
	})
}

func (db *DB) createConfigVersion(ctx context.Context, tx *sql.Tx, cv *engine.ConfigVersion) error {
	id, err := appID(ctx, tx, cv.App)
	if err != nil {
		return err
	}
	if cv.Version, err = nextConfigVersion(ctx, tx, id); err != nil {
		return err
	}
	marks, err := encodeRuntimeOnly(cv)
	if err != nil {
		return err
	}
	blob := seal(db.aead, encodeVars(cv.Vars), configAAD(cv.App, cv.Version))
	const q = `INSERT INTO config_versions (app_id, version, vars, runtime_only, author, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`
	_, err = tx.ExecContext(ctx, q, id, cv.Version, blob, marks, cv.Author, formatTime(cv.CreatedAt))
	return err
}

func nextConfigVersion(ctx context.Context, tx *sql.Tx, appID int64) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM config_versions WHERE app_id = ?`, appID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next config version: %w", err)
	}
	return v, nil
}

func (db *DB) findConfigVersion(ctx context.Context, tx *sql.Tx, app string, version int) (*engine.ConfigVersion, error) {
	id, err := appID(ctx, tx, app)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		return &engine.ConfigVersion{App: app, Vars: map[string]string{}}, nil
	}
	cv := &engine.ConfigVersion{App: app, Version: version}
	var blob []byte
	var created, marks string
	const q = `SELECT vars, runtime_only, author, created_at FROM config_versions WHERE app_id = ? AND version = ?`
	err = tx.QueryRowContext(ctx, q, id, version).Scan(&blob, &marks, &cv.Author, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, configNotFound(app, version)
	}
	if err != nil {
		return nil, fmt.Errorf("read config version: %w", err)
	}
	if cv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(marks), &cv.RuntimeOnly); err != nil {
		return nil, fmt.Errorf("decode runtime-only keys: %w", err)
	}
	if len(cv.RuntimeOnly) == 0 {
		cv.RuntimeOnly = nil
	}
	cv.Vars, err = db.openVars(app, version, blob)
	return cv, err
}

// encodeRuntimeOnly returns cv's runtime-only keys as the JSON array the
// runtime_only column holds. A key that is not one of cv's variables is
// EINVALID.
func encodeRuntimeOnly(cv *engine.ConfigVersion) (string, error) {
	keys := slices.Clone(cv.RuntimeOnly)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if _, ok := cv.Vars[k]; !ok {
			return "", engine.Errorf(engine.EINVALID, "config key %s is marked runtime-only but not set", k)
		}
	}
	if keys == nil {
		keys = []string{}
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return "", fmt.Errorf("encode runtime-only keys: %w", err)
	}
	return string(b), nil
}

// openVars decrypts and decodes one config version's variables.
func (db *DB) openVars(app string, version int, blob []byte) (map[string]string, error) {
	plain, err := unseal(db.aead, blob, configAAD(app, version))
	if err == nil {
		var vars map[string]string
		if vars, err = decodeVars(plain); err == nil {
			return vars, nil
		}
	}
	return nil, engine.Errorf(engine.EINTERNAL,
		"config version %d of app %q cannot be decrypted: it was stored under another encryption key or the database is damaged; restore the original key file or the database from a backup", version, app)
}

// checkConfigVersion fails with ENOTFOUND unless version is 0 or exists.
func checkConfigVersion(ctx context.Context, tx *sql.Tx, appID int64, app string, version int) error {
	if version == 0 {
		return nil
	}
	var ok bool
	const q = `SELECT EXISTS (SELECT 1 FROM config_versions WHERE app_id = ? AND version = ?)`
	if err := tx.QueryRowContext(ctx, q, appID, version).Scan(&ok); err != nil {
		return fmt.Errorf("check config version: %w", err)
	}
	if !ok {
		return configNotFound(app, version)
	}
	return nil
}

func setAppConfigVersion(ctx context.Context, tx *sql.Tx, app string, version int) error {
	var id int64
	var current int
	err := tx.QueryRowContext(ctx, `SELECT id, current_release FROM apps WHERE name = ?`, app).Scan(&id, &current)
	if errors.Is(err, sql.ErrNoRows) {
		return appNotFound(app)
	}
	if err != nil {
		return fmt.Errorf("find app: %w", err)
	}
	if current != 0 {
		return engine.Errorf(engine.ECONFLICT, "app %q already runs release %d: a config change takes effect through a new release", app, current)
	}
	if err := checkConfigVersion(ctx, tx, id, app, version); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE apps SET config_version = ? WHERE id = ?`, version, id)
	return err
}
