package engine

import (
	"context"
	"fmt"
	"time"
)

// AddUser creates a user with role and no password, and returns the secret
// of a one-time setup link (valid SetupLinkTTL) with which the user sets
// one; the caller builds the URL around it and shows it once. A taken
// e-mail is ECONFLICT.
func (a *Accounts) AddUser(ctx context.Context, email, role string) (*User, string, error) {
	email = NormalizeEmail(email)
	if err := ValidateEmail(email); err != nil {
		return nil, "", err
	}
	if err := ValidateRole(role); err != nil {
		return nil, "", err
	}
	u := &User{Email: email, Role: role, CreatedAt: a.now()}
	if err := a.cfg.Store.CreateUser(ctx, u); err != nil {
		return nil, "", err
	}
	a.record(ctx, AuditEntry{Action: AuditUserAdd, Target: email, Detail: "role " + role, Success: true})
	secret, err := a.newSetupLink(ctx, email)
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// NewSetupLink replaces the user's setup link with a new one and returns
// its secret: for a user who lost theirs or forgot the password. The
// password stays until the link is used.
func (a *Accounts) NewSetupLink(ctx context.Context, email string) (string, error) {
	email = NormalizeEmail(email)
	if _, err := a.cfg.Store.FindUser(ctx, email); err != nil {
		return "", err
	}
	secret, err := a.newSetupLink(ctx, email)
	if err != nil {
		return "", err
	}
	a.record(ctx, AuditEntry{Action: AuditUserLink, Target: email, Success: true})
	return secret, nil
}

func (a *Accounts) newSetupLink(ctx context.Context, email string) (string, error) {
	secret, err := randomSecret()
	if err != nil {
		return "", err
	}
	l := &SetupLink{Hash: hashSecret(secret), User: email, ExpiresAt: a.now().Add(a.cfg.SetupLinkTTL)}
	if err := a.cfg.Store.CreateSetupLink(ctx, l); err != nil {
		return "", err
	}
	return secret, nil
}

// CheckSetupLink reports whether a setup link could still be used, without
// using it: ENOTFOUND, with what to do, when it is unknown, used or expired.
// The set-password page says so before anyone types a password.
func (a *Accounts) CheckSetupLink(ctx context.Context, secret string) error {
	if !plausibleSecret(secret) {
		return Errorf(ENOTFOUND, "this setup link is not valid: ask an admin for a new link")
	}
	return a.cfg.Store.CheckSetupLink(ctx, hashSecret(secret), a.now())
}

// SetPasswordWithLink sets the password of the setup link's user and uses
// the link up. It signs the user out everywhere. An unknown, used or
// expired link is ENOTFOUND; a password that is too short, too long or the
// e-mail itself EINVALID, and leaves the link usable.
func (a *Accounts) SetPasswordWithLink(ctx context.Context, secret, password string) error {
	if err := validatePasswordLength(password); err != nil {
		return err
	}
	if !plausibleSecret(secret) {
		return Errorf(ENOTFOUND, "this setup link is not valid: ask an admin for a new link")
	}
	link, err := a.cfg.Store.UseSetupLink(ctx, hashSecret(secret), a.now())
	if err != nil {
		return err
	}
	if err := validatePassword(link.User, password); err != nil {
		return a.restoreLink(ctx, link, err)
	}
	if err := a.setPassword(ctx, link.User, password); err != nil {
		return a.restoreLink(ctx, link, err)
	}
	a.record(ctx, AuditEntry{Actor: link.User, Action: AuditUserPassword, Target: link.User, Detail: "set with a setup link", Success: true})
	return nil
}

// restoreLink makes a link usable again after a failure that was not the
// link's fault, and returns that failure.
func (a *Accounts) restoreLink(ctx context.Context, link *SetupLink, cause error) error {
	l := *link
	l.UsedAt = time.Time{}
	if err := a.cfg.Store.CreateSetupLink(ctx, &l); err != nil {
		a.log.ErrorContext(ctx, "cannot restore setup link", "user", l.User, "err", err)
	}
	return cause
}

func (a *Accounts) setPassword(ctx context.Context, email, password string) error {
	hash, err := a.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u, err := a.cfg.Store.FindUser(ctx, email)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	if err := a.cfg.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return a.cfg.Store.DeleteUserSessions(ctx, email)
}

// FindUser returns the user with the given e-mail, in any case.
func (a *Accounts) FindUser(ctx context.Context, email string) (*User, error) {
	return a.cfg.Store.FindUser(ctx, NormalizeEmail(email))
}

// ListUsers returns all users ordered by e-mail. They carry their
// PasswordHash ("" until the user has set a password): never show it.
func (a *Accounts) ListUsers(ctx context.Context) ([]*User, error) {
	return a.cfg.Store.ListUsers(ctx)
}
