package engine

import "context"

// Grant lets user see (and, as their role allows, change) app. Granting
// twice is not an error; an unknown app or user is ENOTFOUND. The engine's
// caller grants the creator of an app when it creates it.
func (a *Accounts) Grant(ctx context.Context, app, user string) error {
	user = NormalizeEmail(user)
	if err := a.cfg.Store.GrantAccess(ctx, app, user); err != nil {
		return err
	}
	a.record(ctx, AuditEntry{Action: AuditAccessGrant, App: app, Target: user, Success: true})
	return nil
}

// Revoke stops user seeing app; ENOTFOUND when they could not. The
// user's work in progress (Hold) stops at once.
func (a *Accounts) Revoke(ctx context.Context, app, user string) error {
	user = NormalizeEmail(user)
	if err := a.cfg.Store.RevokeAccess(ctx, app, user); err != nil {
		return err
	}
	a.record(ctx, AuditEntry{Action: AuditAccessRevoke, App: app, Target: user, Success: true})
	a.cutOff(ctx, user, ErrAccessRevoked)
	return nil
}

// Members returns the e-mails of the users granted app (admins see every
// app without being members).
func (a *Accounts) Members(ctx context.Context, app string) ([]string, error) {
	return a.cfg.Store.Members(ctx, app)
}
