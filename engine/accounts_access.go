package engine

import (
	"context"
	"slices"
)

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

// Revoke stops user seeing app; ENOTFOUND when they could not.
func (a *Accounts) Revoke(ctx context.Context, app, user string) error {
	user = NormalizeEmail(user)
	if err := a.cfg.Store.RevokeAccess(ctx, app, user); err != nil {
		return err
	}
	a.record(ctx, AuditEntry{Action: AuditAccessRevoke, App: app, Target: user, Success: true})
	return nil
}

// Members returns the e-mails of the users granted app (admins see every
// app without being members).
func (a *Accounts) Members(ctx context.Context, app string) ([]string, error) {
	return a.cfg.Store.Members(ctx, app)
}

// CanSee reports whether id may see app: admins (and the server's owner)
// see every app, other users the apps they have been granted. It does not
// check that app exists.
func (a *Accounts) CanSee(ctx context.Context, id Identity, app string) (bool, error) {
	if id.Role == RoleAdmin {
		return true, nil
	}
	apps, err := a.appsOf(ctx, id)
	if err != nil {
		return false, err
	}
	return slices.Contains(apps, app), nil
}

// VisibleApps returns the apps of apps that id may see, in the same order.
func (a *Accounts) VisibleApps(ctx context.Context, id Identity, apps []*App) ([]*App, error) {
	if id.Role == RoleAdmin {
		return apps, nil
	}
	granted, err := a.appsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []*App{}
	for _, app := range apps {
		if slices.Contains(granted, app.Name) {
			out = append(out, app)
		}
	}
	return out, nil
}

// appsOf is what id has been granted; nothing for an identity without a
// user or whose user is gone.
func (a *Accounts) appsOf(ctx context.Context, id Identity) ([]string, error) {
	if id.User == "" {
		return nil, nil
	}
	apps, err := a.cfg.Store.AppsOf(ctx, NormalizeEmail(id.User))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	return apps, err
}

// Authorize returns nil when id may do act, on app when app is not "". An
// identity without a role is EUNAUTHORIZED; an app id cannot see is
// ENOTFOUND, exactly as if it did not exist; an action id's role does not
// allow is EFORBIDDEN.
func (a *Accounts) Authorize(ctx context.Context, id Identity, act Action, app string) error {
	if id.Role == "" {
		return Errorf(EUNAUTHORIZED, "sign in first")
	}
	if app != "" {
		ok, err := a.CanSee(ctx, id, app)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENOTFOUND, "app %q not found", app)
		}
	}
	if !RoleAllows(id.Role, act) {
		return Errorf(EFORBIDDEN, "your role (%s) does not allow this (%s): ask an admin", id.Role, act)
	}
	return nil
}

// UserIdentity is the identity of u arriving via via ("session", "token",
// "ssh") from from.
func UserIdentity(u *User, via, from string) Identity {
	return Identity{Name: u.Email, User: u.Email, Role: u.Role, Via: via, From: from}
}
