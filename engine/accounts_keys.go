package engine

import "context"

// KeyIdentity is who pushes with SSH key k from from. A key of the server's
// owner (KeyOwnerServer, or KeyOwnerLegacy from an older version) acts as
// an admin and is named after the key; a user's key acts as that user,
// with the role they have now, named by their e-mail (so that the audit
// log finds it under the user). A key of a disabled or removed user, or
// with an owner this version does not know, is EUNAUTHORIZED.
func (a *Accounts) KeyIdentity(ctx context.Context, k *Key, from string) (Identity, error) {
	if k.ActsAsServerOwner() {
		return Identity{Name: k.Name, Role: RoleAdmin, Via: "ssh", From: from}, nil
	}
	if k.Owner != KeyOwnerUser || k.User == "" {
		return Identity{}, Errorf(EUNAUTHORIZED, "the key %q has no owner: an admin must remove it and add it again", k.Name)
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
