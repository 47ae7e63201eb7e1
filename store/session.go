package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// CreateSession stores s, setting its CreatedAt and LastSeen when zero, and
// deletes the sessions whose ExpiresAt has passed by s's CreatedAt. Its
// user must exist (ENOTFOUND); an IDHash already stored is ECONFLICT
// (mapError turns the primary key violation into it).
func (db *DB) CreateSession(ctx context.Context, s *engine.Session) error {
	sess := *s
	sess.User = normEmail(sess.User)
	if sess.IDHash == "" || sess.ExpiresAt.IsZero() {
		return engine.FieldError("session", "a session needs an ID hash and an expiry")
	}
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = db.now()
	}
	if sess.LastSeen.IsZero() {
		sess.LastSeen = sess.CreatedAt
	}
	err := db.update(ctx, "create session", func(tx *sql.Tx) error {
		return createSession(ctx, tx, &sess)
	})
	if err != nil {
		return err
	}
	*s = sess
	return nil
}

// FindSession returns the session with the given ID hash, expired or not;
// ENOTFOUND if none.
func (db *DB) FindSession(ctx context.Context, idHash string) (*engine.Session, error) {
	var s *engine.Session
	err := db.view(ctx, "find session", func(tx *sql.Tx) (err error) {
		s, err = scanSession(tx.QueryRowContext(ctx, sessionSelect+` WHERE id_hash = ?`, idHash))
		if errors.Is(err, sql.ErrNoRows) {
			return sessionNotFound()
		}
		return err
	})
	return s, err
}

// TouchSession sets the session's LastSeen; ENOTFOUND if there is none.
func (db *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return db.update(ctx, "touch session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, formatTime(at), idHash)
		if err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		return mustHaveChanged(res, sessionNotFound())
	})
}

// DeleteSession ends the session; ENOTFOUND if there is none.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	return db.update(ctx, "delete session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return mustHaveChanged(res, sessionNotFound())
	})
}

// DeleteUserSessions ends every session of user; a user without sessions
// (or no such user) is not an error.
func (db *DB) DeleteUserSessions(ctx context.Context, user string) error {
	return db.update(ctx, "delete sessions", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, normEmail(user)); err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		return nil
	})
}

func sessionNotFound() error {
	return engine.Errorf(engine.ENOTFOUND, "session not found")
}

func createSession(ctx context.Context, tx *sql.Tx, s *engine.Session) error {
	if err := checkUserExists(ctx, tx, s.User); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, formatTime(s.CreatedAt)); err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	const q = `INSERT INTO sessions (id_hash, user, csrf_token, created_at, expires_at, last_seen, from_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, q, s.IDHash, s.User, s.CSRFToken, formatTime(s.CreatedAt),
		formatTime(s.ExpiresAt), formatTime(s.LastSeen), s.From)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionSelect = `SELECT id_hash, user, csrf_token, created_at, expires_at, last_seen, from_addr FROM sessions`

func scanSession(row rowScanner) (*engine.Session, error) {
	var s engine.Session
	var created, expires, seen string
	if err := row.Scan(&s.IDHash, &s.User, &s.CSRFToken, &created, &expires, &seen, &s.From); err != nil {
		return nil, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	s.LastSeen, err = parseTime(seen)
	return &s, err
}
