package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// CreateToken stores t and sets its ID, and its CreatedAt when zero. Its
// user must exist (ENOTFOUND); a hash already stored is ECONFLICT.
func (db *DB) CreateToken(ctx context.Context, t *engine.Token) error {
	tok := *t
	tok.User = normEmail(tok.User)
	if tok.Hash == "" {
		return engine.FieldError("token", "a token needs a hash")
	}
	if tok.CreatedAt.IsZero() {
		tok.CreatedAt = db.now()
	}
	err := db.update(ctx, "create token", func(tx *sql.Tx) error {
		return createToken(ctx, tx, &tok)
	})
	if err != nil {
		return err
	}
	*t = tok
	return nil
}

// FindTokenByHash returns the token whose secret hashes to hash, revoked
// and expired ones included; ENOTFOUND if none.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*engine.Token, error) {
	var t *engine.Token
	err := db.view(ctx, "find token", func(tx *sql.Tx) (err error) {
		t, err = scanToken(tx.QueryRowContext(ctx, tokenSelect+` WHERE hash = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return engine.Errorf(engine.ENOTFOUND, "token not found")
		}
		return err
	})
	return t, err
}

// ListTokens returns user's tokens ("" for everyone's), revoked ones
// included, ordered by ID.
func (db *DB) ListTokens(ctx context.Context, user string) ([]*engine.Token, error) {
	var toks []*engine.Token
	err := db.view(ctx, "list tokens", func(tx *sql.Tx) (err error) {
		toks, err = listTokens(ctx, tx, normEmail(user))
		return err
	})
	return toks, err
}

// TouchToken records that token id was used at at from from; ENOTFOUND if
// there is no such token.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time, from string) error {
	return db.update(ctx, "record token use", func(tx *sql.Tx) error {
		const q = `UPDATE tokens SET last_used_at = ?, last_used_from = ? WHERE id = ?`
		res, err := tx.ExecContext(ctx, q, formatTime(at), from, id)
		if err != nil {
			return fmt.Errorf("record token use: %w", err)
		}
		return mustHaveChanged(res, tokenNotFound(id))
	})
}

// RevokeToken marks token id revoked; ENOTFOUND if there is no such token.
// Revoking a revoked token does nothing.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	return db.update(ctx, "revoke token", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return mustHaveChanged(res, tokenNotFound(id))
	})
}

func tokenNotFound(id int64) error {
	return engine.Errorf(engine.ENOTFOUND, "token %d not found", id)
}

func createToken(ctx context.Context, tx *sql.Tx, t *engine.Token) error {
	if err := checkUserExists(ctx, tx, t.User); err != nil {
		return err
	}
	const q = `INSERT INTO tokens (user, name, hash, prefix, created_at, expires_at, last_used_at, last_used_from, revoked)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	res, err := tx.ExecContext(ctx, q, t.User, t.Name, t.Hash, t.Prefix, formatTime(t.CreatedAt),
		formatNullTime(t.ExpiresAt), formatNullTime(t.LastUsedAt), t.LastUsedFrom, t.Revoked)
	if isUnique(err) {
		return engine.Errorf(engine.ECONFLICT, "this token already exists")
	}
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t.ID, err = res.LastInsertId()
	return err
}

const tokenSelect = `SELECT id, user, name, hash, prefix, created_at, expires_at, last_used_at, last_used_from, revoked FROM tokens`

func listTokens(ctx context.Context, tx *sql.Tx, user string) ([]*engine.Token, error) {
	q, args := tokenSelect, []any{}
	if user != "" {
		q, args = q+` WHERE user = ?`, append(args, user)
	}
	return queryAll(ctx, tx, "list tokens", scanToken, q+` ORDER BY id`, args...)
}

func scanToken(row rowScanner) (*engine.Token, error) {
	var t engine.Token
	var created string
	var expires, used sql.NullString
	err := row.Scan(&t.ID, &t.User, &t.Name, &t.Hash, &t.Prefix, &created, &expires, &used, &t.LastUsedFrom, &t.Revoked)
	if err != nil {
		return nil, err
	}
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if t.ExpiresAt, err = parseNullTime(expires); err != nil {
		return nil, err
	}
	t.LastUsedAt, err = parseNullTime(used)
	return &t, err
}
