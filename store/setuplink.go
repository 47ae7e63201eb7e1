package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// CreateSetupLink stores l and deletes the user's earlier links: only the
// newest link of a user works. Its user must exist (ENOTFOUND).
func (db *DB) CreateSetupLink(ctx context.Context, l *engine.SetupLink) error {
	link := *l
	link.User = normEmail(link.User)
	if link.Hash == "" || link.ExpiresAt.IsZero() {
		return engine.FieldError("link", "a setup link needs a hash and an expiry")
	}
	err := db.update(ctx, "create setup link", func(tx *sql.Tx) error {
		return createSetupLink(ctx, tx, &link)
	})
	if err != nil {
		return err
	}
	*l = link
	return nil
}

// UseSetupLink marks the link used at at and returns it; ENOTFOUND when it
// is unknown, already used, or expired by at.
func (db *DB) UseSetupLink(ctx context.Context, hash string, at time.Time) (*engine.SetupLink, error) {
	var l *engine.SetupLink
	err := db.update(ctx, "use setup link", func(tx *sql.Tx) (err error) {
		l, err = useSetupLink(ctx, tx, hash, at)
		return err
	})
	return l, err
}

// CheckSetupLink returns ENOTFOUND unless the link is unused and unexpired
// at at; it changes nothing.
func (db *DB) CheckSetupLink(ctx context.Context, hash string, at time.Time) error {
	return db.view(ctx, "check setup link", func(tx *sql.Tx) error {
		const q = `SELECT 1 FROM setup_links WHERE hash = ? AND used_at IS NULL AND expires_at > ?`
		var one int
		err := tx.QueryRowContext(ctx, q, hash, formatTime(at)).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return setupLinkNotFound()
		}
		if err != nil {
			return fmt.Errorf("check setup link: %w", err)
		}
		return nil
	})
}

func setupLinkNotFound() error {
	return engine.Errorf(engine.ENOTFOUND, "this setup link is not valid: it was already used, has expired, or was replaced by a newer one; ask an admin for a new link")
}

func createSetupLink(ctx context.Context, tx *sql.Tx, l *engine.SetupLink) error {
	if err := checkUserExists(ctx, tx, l.User); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM setup_links WHERE user = ?`, l.User); err != nil {
		return fmt.Errorf("delete earlier setup links: %w", err)
	}
	const q = `INSERT INTO setup_links (hash, user, expires_at, used_at) VALUES (?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, q, l.Hash, l.User, formatTime(l.ExpiresAt), formatNullTime(l.UsedAt))
	if err != nil {
		return fmt.Errorf("create setup link: %w", err)
	}
	return nil
}

func useSetupLink(ctx context.Context, tx *sql.Tx, hash string, at time.Time) (*engine.SetupLink, error) {
	const q = `UPDATE setup_links SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?`
	res, err := tx.ExecContext(ctx, q, formatTime(at), hash, formatTime(at))
	if err != nil {
		return nil, fmt.Errorf("use setup link: %w", err)
	}
	if err := mustHaveChanged(res, setupLinkNotFound()); err != nil {
		return nil, err
	}
	var l engine.SetupLink
	var expires, used string
	err = tx.QueryRowContext(ctx, `SELECT hash, user, expires_at, used_at FROM setup_links WHERE hash = ?`, hash).
		Scan(&l.Hash, &l.User, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, setupLinkNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read setup link: %w", err)
	}
	if l.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	l.UsedAt, err = parseTime(used)
	return &l, err
}
