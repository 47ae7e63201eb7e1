package engine

import "context"

// AddKey allows k to push. The caller has parsed k.PublicKey and computed
// its fingerprint; AddKey sets k.Owner, checks the name and stores it.
// A key added by a signed-in user (any role, any way in) belongs to that
// user, whose current role applies to its pushes and who takes it along
// when disabled or removed; an admin may name another user in k.User.
// Only the control socket (and callers without an identity, inside the
// server) adds keys without a user, which act as the server's owner.
func (e *Engine) AddKey(ctx context.Context, k *Key) (err error) {
	if err := e.authorize(ctx, ActOwnAccount, ""); err != nil {
		return err
	}
	if err := setKeyOwner(ctx, k); err != nil {
		return err
	}
	if err := ValidateKeyName(k.Name); err != nil {
		return err
	}
	if k.Fingerprint == "" || k.PublicKey == "" {
		return FieldError("key", "the public key is empty")
	}
	defer func() { e.audit(ctx, AuditKeyAdd, "", k.Name, k.Fingerprint, err) }()
	return e.cfg.Store.AddKey(ctx, k)
}

// setKeyOwner decides whom k acts as, from who adds it (see AddKey).
func setKeyOwner(ctx context.Context, k *Key) error {
	k.User = NormalizeEmail(k.User)
	id, ok := IdentityFrom(ctx)
	if !ok || id.Via == "socket" {
		k.Owner = KeyOwnerUser
		if k.User == "" {
			k.Owner = KeyOwnerServer
		}
		return nil
	}
	if id.User == "" {
		return Errorf(EFORBIDDEN, "only the server's owner, on the control socket, may add keys that act as the server's owner")
	}
	if k.User != "" && !mayManageCredentialsOf(id, k.User) {
		return Errorf(EFORBIDDEN, "only an admin may add a key for another user")
	}
	if k.User == "" {
		k.User = NormalizeEmail(id.User)
	}
	k.Owner = KeyOwnerUser
	return nil
}

// ListKeys returns the keys allowed to push: all of them for admins, one's
// own for other users.
func (e *Engine) ListKeys(ctx context.Context) ([]*Key, error) {
	if err := e.authorize(ctx, ActOwnAccount, ""); err != nil {
		return nil, err
	}
	keys, err := e.cfg.Store.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	id, ok := IdentityFrom(ctx)
	if !ok {
		return keys, nil
	}
	var mine []*Key
	for _, k := range keys {
		if mayManageCredentialsOf(id, k.User) {
			mine = append(mine, k)
		}
	}
	return mine, nil
}

// RemoveKey stops the named key from pushing. Users other than admins may
// remove only their own keys; another's is ENOTFOUND to them.
func (e *Engine) RemoveKey(ctx context.Context, name string) (err error) {
	keys, err := e.ListKeys(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, k := range keys {
		found = found || k.Name == name
	}
	if !found {
		return Errorf(ENOTFOUND, "SSH key %q not found: `quayside keys` lists them", name)
	}
	defer func() { e.audit(ctx, AuditKeyRemove, "", name, "", err) }()
	return e.cfg.Store.RemoveKey(ctx, name)
}
