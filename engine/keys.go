package engine

import "context"

// AddKey allows k to push. The caller has parsed k.PublicKey and computed
// its fingerprint; AddKey checks the name and stores it. A key added by a
// user belongs to that user (their role applies to its pushes); only an
// admin may add a key for someone else, or one that belongs to no user
// (the server owner's, as on the control socket).
func (e *Engine) AddKey(ctx context.Context, k *Key) (err error) {
	if err := e.authorize(ctx, ActOwnAccount, ""); err != nil {
		return err
	}
	if id, ok := IdentityFrom(ctx); ok && id.Role != RoleAdmin {
		k.User = id.User
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
	if !ok || id.Role == RoleAdmin {
		return keys, nil
	}
	var own []*Key
	for _, k := range keys {
		if k.User == id.User {
			own = append(own, k)
		}
	}
	return own, nil
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
