package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/quayside/quayside/engine"
)

var (
	_ engine.AccountStore = (*DB)(nil)
	_ engine.AuditStore   = (*DB)(nil)
)

// CreateUser stores u with its e-mail lowercased, and sets its CreatedAt
// when zero. A taken e-mail (in any case) is ECONFLICT; an empty e-mail or
// an unknown role EINVALID.
func (db *DB) CreateUser(ctx context.Context, u *engine.User) error {
	user := *u
	user.Email = normEmail(user.Email)
	if err := validateUser(&user); err != nil {
		return err
	}
	if user.CreatedAt.IsZero() {
		user.CreatedAt = db.now()
	}
	err := db.update(ctx, "create user", func(tx *sql.Tx) error {
		return createUser(ctx, tx, &user)
	})
	if err != nil {
		return err
	}
	*u = user
	return nil
}

// FindUser returns the user with the given e-mail, in any case; ENOTFOUND
// if there is none.
func (db *DB) FindUser(ctx context.Context, email string) (*engine.User, error) {
	var u *engine.User
	err := db.view(ctx, "find user", func(tx *sql.Tx) (err error) {
		u, err = findUser(ctx, tx, email)
		return err
	})
	return u, err
}

// ListUsers returns all users ordered by e-mail.
func (db *DB) ListUsers(ctx context.Context) ([]*engine.User, error) {
	var users []*engine.User
	err := db.view(ctx, "list users", func(tx *sql.Tx) (err error) {
		users, err = listUsers(ctx, tx)
		return err
	})
	return users, err
}

// UpdateUser writes u's Role, PasswordHash, Disabled and LastSignIn;
// ENOTFOUND if there is no such user.
func (db *DB) UpdateUser(ctx context.Context, u *engine.User) error {
	user := *u
	user.Email = normEmail(user.Email)
	if err := validateUser(&user); err != nil {
		return err
	}
	return db.update(ctx, "update user", func(tx *sql.Tx) error {
		const q = `UPDATE users SET role = ?, password_hash = ?, disabled = ?, last_sign_in = ? WHERE email = ?`
		res, err := tx.ExecContext(ctx, q, user.Role, user.PasswordHash, user.Disabled, formatNullTime(user.LastSignIn), user.Email)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		return mustHaveChanged(res, userNotFound(user.Email))
	})
}

// DeleteUser removes the user with its tokens, sessions, setup links, app
// access and SSH keys; ENOTFOUND if there is none. Audit entries stay.
func (db *DB) DeleteUser(ctx context.Context, email string) error {
	email = normEmail(email)
	return db.update(ctx, "delete user", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE email = ?`, email)
		if err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return mustHaveChanged(res, userNotFound(email))
	})
}

// normEmail is how e-mails are stored and looked up: trimmed, lowercased.
func normEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func userNotFound(email string) error {
	return engine.Errorf(engine.ENOTFOUND, "user %q not found", email)
}

func validateUser(u *engine.User) error {
	if u.Email == "" {
		return engine.FieldError("email", "a user needs an e-mail address")
	}
	return engine.ValidateRole(u.Role)
}

func createUser(ctx context.Context, tx *sql.Tx, u *engine.User) error {
	if err := checkUserExists(ctx, tx, u.Email); err == nil {
		return engine.Errorf(engine.ECONFLICT, "user %q already exists", u.Email)
	} else if engine.ErrorCode(err) != engine.ENOTFOUND {
		return err
	}
	const q = `INSERT INTO users (email, role, password_hash, disabled, created_at, last_sign_in) VALUES (?, ?, ?, ?, ?, ?)`
	_, err := tx.ExecContext(ctx, q, u.Email, u.Role, u.PasswordHash, u.Disabled, formatTime(u.CreatedAt), formatNullTime(u.LastSignIn))
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// checkUserExists returns ENOTFOUND unless the user with the (normalised)
// e-mail exists.
func checkUserExists(ctx context.Context, tx *sql.Tx, email string) error {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)`, email).Scan(&ok)
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	if !ok {
		return userNotFound(email)
	}
	return nil
}

const userSelect = `SELECT email, role, password_hash, disabled, created_at, last_sign_in FROM users`

func findUser(ctx context.Context, tx *sql.Tx, email string) (*engine.User, error) {
	email = normEmail(email)
	u, err := scanUser(tx.QueryRowContext(ctx, userSelect+` WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, userNotFound(email)
	}
	return u, err
}

func listUsers(ctx context.Context, tx *sql.Tx) ([]*engine.User, error) {
	return queryAll(ctx, tx, "list users", scanUser, userSelect+` ORDER BY email`)
}

func scanUser(row rowScanner) (*engine.User, error) {
	var u engine.User
	var created string
	var last sql.NullString
	if err := row.Scan(&u.Email, &u.Role, &u.PasswordHash, &u.Disabled, &created, &last); err != nil {
		return nil, err
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	u.LastSignIn, err = parseNullTime(last)
	return &u, err
}

// checkKeyUser lowercases k.User, sets an empty k.Owner to KeyOwnerUser,
// and checks that the owner is consistent: a user's key names a user who
// exists, a server owner's key names none.
func checkKeyUser(ctx context.Context, tx *sql.Tx, k *engine.Key) error {
	k.User = normEmail(k.User)
	if k.Owner == "" {
		k.Owner = engine.KeyOwnerUser
	}
	switch k.Owner {
	case engine.KeyOwnerUser:
		if k.User == "" {
			return engine.FieldError("user", "a user's key needs the user's e-mail")
		}
		return checkUserExists(ctx, tx, k.User)
	case engine.KeyOwnerServer, engine.KeyOwnerLegacy:
		if k.User != "" {
			return engine.FieldError("user", "a key of the server's owner belongs to no user")
		}
		return nil
	}
	return engine.FieldError("owner", "unknown key owner %q", k.Owner)
}

// nullString is s, NULL when empty.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
