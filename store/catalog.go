package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// FindCatalog returns app's catalog entry; an empty one when none was
// recorded.
func (db *DB) FindCatalog(ctx context.Context, app string) (*engine.CatalogEntry, error) {
	var c *engine.CatalogEntry
	err := db.view(ctx, "find catalog entry", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		row := tx.QueryRowContext(ctx, catalogSelect+` WHERE c.app_id = ?`, id)
		c, err = scanCatalog(row)
		if errors.Is(err, sql.ErrNoRows) {
			c, err = &engine.CatalogEntry{App: app}, nil
		}
		return err
	})
	return c, err
}

// SaveCatalogFile records what app's catalog file said; with a non-empty
// fileErr it records only the error and keeps the fields.
func (db *DB) SaveCatalogFile(ctx context.Context, app string, f engine.CatalogFields, fileErr string) error {
	file, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode catalog file: %w", err)
	}
	return db.update(ctx, "save catalog file", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		q := `INSERT INTO catalog (app_id, file, file_error, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (app_id) DO UPDATE SET file = excluded.file, file_error = excluded.file_error, updated_at = excluded.updated_at`
		if fileErr != "" {
			q = `INSERT INTO catalog (app_id, file_error, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (app_id) DO UPDATE SET file_error = excluded.file_error, updated_at = excluded.updated_at`
			_, err = tx.ExecContext(ctx, q, id, fileErr, formatTime(db.now()))
		} else {
			_, err = tx.ExecContext(ctx, q, id, string(file), "", formatTime(db.now()))
		}
		if err != nil {
			return fmt.Errorf("save catalog file: %w", err)
		}
		return nil
	})
}

// SaveCatalogManual records app's manual catalog fields and overrides.
func (db *DB) SaveCatalogManual(ctx context.Context, app string, f engine.CatalogFields, overrides []string) error {
	manual, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode catalog fields: %w", err)
	}
	if overrides == nil {
		overrides = []string{}
	}
	over, err := json.Marshal(overrides)
	if err != nil {
		return fmt.Errorf("encode catalog overrides: %w", err)
	}
	return db.update(ctx, "save catalog fields", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO catalog (app_id, manual, overrides, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (app_id) DO UPDATE SET manual = excluded.manual, overrides = excluded.overrides, updated_at = excluded.updated_at`,
			id, string(manual), string(over), formatTime(db.now()))
		if err != nil {
			return fmt.Errorf("save catalog fields: %w", err)
		}
		return nil
	})
}

// ListCatalog returns every recorded catalog entry, by app name.
func (db *DB) ListCatalog(ctx context.Context) ([]*engine.CatalogEntry, error) {
	var out []*engine.CatalogEntry
	err := db.view(ctx, "list catalog", func(tx *sql.Tx) (err error) {
		out, err = queryAll(ctx, tx, "list catalog", scanCatalog, catalogSelect+` ORDER BY a.name`)
		return err
	})
	return out, err
}

const catalogSelect = `SELECT a.name, c.file, c.file_error, c.manual, c.overrides, c.updated_at
	FROM catalog c JOIN apps a ON a.id = c.app_id`

func scanCatalog(row rowScanner) (*engine.CatalogEntry, error) {
	var c engine.CatalogEntry
	var file, manual, over, updated string
	if err := row.Scan(&c.App, &file, &c.FileError, &manual, &over, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(file), &c.File); err != nil {
		return nil, fmt.Errorf("decode catalog file: %w", err)
	}
	if err := json.Unmarshal([]byte(manual), &c.Manual); err != nil {
		return nil, fmt.Errorf("decode catalog fields: %w", err)
	}
	if err := json.Unmarshal([]byte(over), &c.Overrides); err != nil {
		return nil, fmt.Errorf("decode catalog overrides: %w", err)
	}
	var err error
	c.UpdatedAt, err = parseTime(updated)
	return &c, err
}
