package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// GrantAccess lets user see app. Granting twice is not an error; an
// unknown app or user is ENOTFOUND.
func (db *DB) GrantAccess(ctx context.Context, app, user string) error {
	user = normEmail(user)
	return db.update(ctx, "grant access", func(tx *sql.Tx) error {
		id, err := accessIDs(ctx, tx, app, user)
		if err != nil {
			return err
		}
		const q = `INSERT INTO app_access (app_id, user) VALUES (?, ?) ON CONFLICT DO NOTHING`
		if _, err := tx.ExecContext(ctx, q, id, user); err != nil {
			return fmt.Errorf("grant access: %w", err)
		}
		return nil
	})
}

// RevokeAccess stops user seeing app; ENOTFOUND if the app or user is
// unknown or user had no access.
func (db *DB) RevokeAccess(ctx context.Context, app, user string) error {
	user = normEmail(user)
	return db.update(ctx, "revoke access", func(tx *sql.Tx) error {
		id, err := accessIDs(ctx, tx, app, user)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM app_access WHERE app_id = ? AND user = ?`, id, user)
		if err != nil {
			return fmt.Errorf("revoke access: %w", err)
		}
		return mustHaveChanged(res, engine.Errorf(engine.ENOTFOUND, "user %q has no access to app %q", user, app))
	})
}

// AppsOf returns the names of the apps user has been granted, with the
// previews of those apps, ordered; ENOTFOUND if there is no such user.
func (db *DB) AppsOf(ctx context.Context, user string) ([]string, error) {
	user = normEmail(user)
	var apps []string
	err := db.view(ctx, "list apps of user", func(tx *sql.Tx) (err error) {
		if err := checkUserExists(ctx, tx, user); err != nil {
			return err
		}
		apps, err = queryStrings(ctx, tx, `SELECT a.name FROM app_access x JOIN apps a ON a.id = x.app_id
			WHERE x.user = ?
			UNION SELECT pa.name FROM app_access x JOIN previews p ON p.parent_id = x.app_id
			JOIN apps pa ON pa.id = p.app_id WHERE x.user = ? ORDER BY 1`, user, user)
		return err
	})
	return apps, err
}

// Members returns the e-mails of the users granted app, ordered; ENOTFOUND
// if there is no such app.
func (db *DB) Members(ctx context.Context, app string) ([]string, error) {
	var users []string
	err := db.view(ctx, "list members", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		users, err = queryStrings(ctx, tx, `SELECT user FROM app_access WHERE app_id = ? ORDER BY user`, id)
		return err
	})
	return users, err
}

// accessIDs checks that user exists and returns app's row id.
func accessIDs(ctx context.Context, tx *sql.Tx, app, user string) (int64, error) {
	id, err := appID(ctx, tx, app)
	if err != nil {
		return 0, err
	}
	return id, checkUserExists(ctx, tx, user)
}

// queryStrings returns the one text column q selects; never nil.
func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	return queryAll(ctx, tx, "query", scanString, q, args...)
}

func scanString(row rowScanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}
