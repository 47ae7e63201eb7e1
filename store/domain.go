package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// AddDomain stores d and sets its CreatedAt. A host any app already has is
// ECONFLICT; an unknown app is ENOTFOUND.
func (db *DB) AddDomain(ctx context.Context, d *engine.Domain) error {
	dom := *d
	dom.CreatedAt = db.now()
	err := db.update(ctx, "add domain", func(tx *sql.Tx) error {
		return addDomain(ctx, tx, &dom)
	})
	if err != nil {
		return err
	}
	*d = dom
	return nil
}

// RemoveDomain deletes host from app, ENOTFOUND if app does not have it.
func (db *DB) RemoveDomain(ctx context.Context, app, host string) error {
	return db.update(ctx, "remove domain", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM domains WHERE app_id = ? AND host = ?`, id, host)
		if err != nil {
			return fmt.Errorf("remove domain: %w", err)
		}
		return mustHaveChanged(res, engine.Errorf(engine.ENOTFOUND, "app %q has no domain %q", app, host))
	})
}

// ListDomains returns app's domains ordered by host, or every app's when
// app is "".
func (db *DB) ListDomains(ctx context.Context, app string) ([]*engine.Domain, error) {
	var ds []*engine.Domain
	err := db.view(ctx, "list domains", func(tx *sql.Tx) (err error) {
		if app != "" {
			if _, err := appID(ctx, tx, app); err != nil {
				return err
			}
		}
		ds, err = listDomains(ctx, tx, app)
		return err
	})
	return ds, err
}

func addDomain(ctx context.Context, tx *sql.Tx, d *engine.Domain) error {
	id, err := appID(ctx, tx, d.App)
	if err != nil {
		return err
	}
	var owner string
	err = tx.QueryRowContext(ctx, `SELECT a.name FROM domains d JOIN apps a ON a.id = d.app_id WHERE d.host = ?`, d.Host).Scan(&owner)
	switch {
	case err == nil && owner == d.App:
		return engine.Errorf(engine.ECONFLICT, "app %q already has the domain %q", d.App, d.Host)
	case err == nil:
		return engine.Errorf(engine.ECONFLICT, "the domain %q belongs to the app %q: remove it there first", d.Host, owner)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("check domain: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO domains (app_id, host, created_at) VALUES (?, ?, ?)`,
		id, d.Host, formatTime(d.CreatedAt))
	if isUnique(err) {
		return engine.Errorf(engine.ECONFLICT, "the domain %q is taken", d.Host)
	}
	return err
}

func listDomains(ctx context.Context, tx *sql.Tx, app string) ([]*engine.Domain, error) {
	q := `SELECT a.name, d.host, d.created_at FROM domains d JOIN apps a ON a.id = d.app_id`
	args := []any{}
	if app != "" {
		q += ` WHERE a.name = ?`
		args = append(args, app)
	}
	return queryAll(ctx, tx, "list domains", scanDomain, q+` ORDER BY d.host`, args...)
}

func scanDomain(row rowScanner) (*engine.Domain, error) {
	var d engine.Domain
	var created string
	if err := row.Scan(&d.App, &d.Host, &created); err != nil {
		return nil, err
	}
	var err error
	d.CreatedAt, err = parseTime(created)
	return &d, err
}
