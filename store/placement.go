package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/quayside/quayside/engine"
)

var _ engine.PlacementStore = (*DB)(nil)

// Placement implements engine.PlacementStore: app's constraints in the
// order they were set; an unknown app has none.
func (db *DB) Placement(ctx context.Context, app string) ([]string, error) {
	out := []string{}
	err := db.view(ctx, "read placement", func(tx *sql.Tx) error {
		const q = `SELECT p.constraint_text FROM app_placement p JOIN apps a ON a.id = p.app_id
			WHERE a.name = ? ORDER BY p.position`
		rows, err := tx.QueryContext(ctx, q, app)
		if err != nil {
			return fmt.Errorf("read placement: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return fmt.Errorf("read placement: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SetPlacement implements engine.PlacementStore: it replaces app's
// constraints; an unknown app is ENOTFOUND.
func (db *DB) SetPlacement(ctx context.Context, app string, constraints []string) error {
	return db.update(ctx, "set placement", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM app_placement WHERE app_id = ?`, id); err != nil {
			return fmt.Errorf("clear placement: %w", err)
		}
		for i, c := range constraints {
			if _, err := tx.ExecContext(ctx, `INSERT INTO app_placement (app_id, position, constraint_text) VALUES (?, ?, ?)`, id, i, c); err != nil {
				return fmt.Errorf("write placement: %w", err)
			}
		}
		return nil
	})
}
