package engine

import "context"

// KeyIdentity is who pushes with SSH key k from from. A key without a user
// belongs to the server's owner, who is an admin, and is named after the
// key; a user's key acts as that user, with their role, named by their
// e-mail (so that the audit log finds it under the user). A key of a
// disabled user is EUNAUTHORIZED.
func (a *Accounts) KeyIdentity(ctx context.Context, k *Key, from string) (Identity, error) {
	if k.User == "" {
		return Identity{Name: k.Name, Role: RoleAdmin, Via: "ssh", From: from}, nil
	}
	u, err := a.cfg.Store.FindUser(ctx, k.User)
	if ErrorCode(err) == ENOTFOUND {
		return Identity{}, Errorf(EUNAUTHORIZED, "the key %q belongs to no user", k.Name)
	}
	if err != nil {
		return Identity{}, err
	}
	if u.Disabled {
		return Identity{}, Errorf(EUNAUTHORIZED, "the account %s is disabled: ask an admin to enable it", u.Email)
	}
	return UserIdentity(u, "ssh", from), nil
}
