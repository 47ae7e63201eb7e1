package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ProductionOnlyKeys implements engine.PreviewStore: app's production-only
// config keys, sorted.
func (db *DB) ProductionOnlyKeys(ctx context.Context, app string) ([]string, error) {
	var keys []string
	err := db.view(ctx, "read production-only keys", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		keys, err = queryStrings(ctx, tx, `SELECT key FROM config_production_only WHERE app_id = ? ORDER BY key`, id)
		return err
	})
	return keys, err
}

// MarkProductionOnly implements engine.PreviewStore.
func (db *DB) MarkProductionOnly(ctx context.Context, app string, keys []string, on bool) error {
	return db.update(ctx, "mark production-only keys", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		q := `DELETE FROM config_production_only WHERE app_id = ? AND key = ?`
		if on {
			q = `INSERT INTO config_production_only (app_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING`
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, q, id, k); err != nil {
				return fmt.Errorf("mark production-only key: %w", err)
			}
		}
		return nil
	})
}

// PreviewVars implements engine.PreviewStore. The blob is bound to the app
// and cannot be moved to another.
func (db *DB) PreviewVars(ctx context.Context, app string) (map[string]string, error) {
	var vars map[string]string
	err := db.view(ctx, "read preview config", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		var blob []byte
		err = tx.QueryRowContext(ctx, `SELECT vars FROM preview_vars WHERE app_id = ?`, id).Scan(&blob)
		if errors.Is(err, sql.ErrNoRows) {
			vars = map[string]string{}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read preview config: %w", err)
		}
		plain, err := unseal(db.aead, blob, previewVarsAAD(app))
		if err != nil {
			return err
		}
		vars, err = decodeVars(plain)
		return err
	})
	return vars, err
}

// SetPreviewVars implements engine.PreviewStore.
func (db *DB) SetPreviewVars(ctx context.Context, app string, vars map[string]string) error {
	return db.update(ctx, "set preview config", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		blob := seal(db.aead, encodeVars(vars), previewVarsAAD(app))
		_, err = tx.ExecContext(ctx, `INSERT INTO preview_vars (app_id, vars) VALUES (?, ?)
			ON CONFLICT (app_id) DO UPDATE SET vars = excluded.vars`, id, blob)
		return err
	})
}

func previewVarsAAD(app string) []byte {
	return fmt.Appendf(nil, "quayside/preview-vars/v1\x00%s", app)
}
