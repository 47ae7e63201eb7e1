package engine

import "context"

// ChangeRole gives the user a new role. Demoting the last enabled admin is
// ECONFLICT: the server would have nobody to manage it. A lower role takes
// effect at once: the user's next request, push or key use has the new
// role, and their log streams and pushes in progress are stopped (Hold).
func (a *Accounts) ChangeRole(ctx context.Context, email, role string) error {
	if err := ValidateRole(role); err != nil {
		return err
	}
	var from string
	err := a.changeUser(ctx, email, func(u *User) (AuditEntry, bool) {
		from = u.Role
		u.Role = role
		return AuditEntry{Action: AuditUserRole, Detail: from + " -> " + role}, from != role
	})
	if err == nil && roleRank(role) < roleRank(from) {
		a.cutOff(ctx, email, ErrAccountDemoted)
	}
	return err
}

// DisableUser stops the user signing in and ends their sessions; their
// tokens and SSH keys stop working too, and their log streams and pushes
// in progress are stopped (Hold). Disabling the last enabled admin is
// ECONFLICT.
func (a *Accounts) DisableUser(ctx context.Context, email string) error {
	err := a.changeUser(ctx, email, func(u *User) (AuditEntry, bool) {
		was := u.Disabled
		u.Disabled = true
		return AuditEntry{Action: AuditUserDisable}, !was
	})
	if err != nil {
		return err
	}
	a.cutOff(ctx, email, ErrAccountDisabled)
	return a.cfg.Store.DeleteUserSessions(ctx, NormalizeEmail(email))
}

// EnableUser lets a disabled user sign in again.
func (a *Accounts) EnableUser(ctx context.Context, email string) error {
	return a.changeUser(ctx, email, func(u *User) (AuditEntry, bool) {
		was := u.Disabled
		u.Disabled = false
		return AuditEntry{Action: AuditUserEnable}, was
	})
}

// RemoveUser deletes the user with their tokens, sessions, SSH keys and app
// access, and stops their log streams and pushes in progress (Hold); the
// audit log keeps what they did. Removing the last enabled admin is
// ECONFLICT.
func (a *Accounts) RemoveUser(ctx context.Context, email string) error {
	email = NormalizeEmail(email)
	a.adminMu.Lock()
	defer a.adminMu.Unlock()
	u, err := a.cfg.Store.FindUser(ctx, email)
	if err != nil {
		return err
	}
	if err := a.keepAnAdmin(ctx, u, &User{Role: RoleViewer, Disabled: true}); err != nil {
		return err
	}
	if err := a.cfg.Store.DeleteUser(ctx, email); err != nil {
		return err
	}
	a.cutOff(ctx, email, ErrAccountRemoved)
	a.record(ctx, AuditEntry{Action: AuditUserRemove, Target: email, Detail: "role " + u.Role, Success: true})
	return nil
}

// changeUser applies change to the user and stores it when it says it
// changed something, after checking that an enabled admin remains.
func (a *Accounts) changeUser(ctx context.Context, email string, change func(*User) (AuditEntry, bool)) error {
	email = NormalizeEmail(email)
	a.adminMu.Lock()
	defer a.adminMu.Unlock()
	u, err := a.cfg.Store.FindUser(ctx, email)
	if err != nil {
		return err
	}
	before := *u
	entry, changed := change(u)
	if !changed {
		return nil
	}
	if err := a.keepAnAdmin(ctx, &before, u); err != nil {
		return err
	}
	if err := a.cfg.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	entry.Target, entry.Success = email, true
	a.record(ctx, entry)
	return nil
}

// keepAnAdmin refuses to turn before into after when before is the last
// enabled admin and after is not an enabled admin.
func (a *Accounts) keepAnAdmin(ctx context.Context, before, after *User) error {
	if !activeAdmin(before) || activeAdmin(after) {
		return nil
	}
	users, err := a.cfg.Store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Email != before.Email && activeAdmin(u) {
			return nil
		}
	}
	return Errorf(ECONFLICT, "%s is the last admin: make another user admin first", before.Email)
}

func activeAdmin(u *User) bool {
	return u.Role == RoleAdmin && !u.Disabled
}
