package engine

import "context"

// AddKey allows k to push. The caller has parsed k.PublicKey and computed
// its fingerprint; AddKey checks the name and stores it.
func (e *Engine) AddKey(ctx context.Context, k *Key) error {
	if err := ValidateKeyName(k.Name); err != nil {
		return err
	}
	if k.Fingerprint == "" || k.PublicKey == "" {
		return FieldError("key", "the public key is empty")
	}
	return e.cfg.Store.AddKey(ctx, k)
}

// ListKeys returns the keys allowed to push.
func (e *Engine) ListKeys(ctx context.Context) ([]*Key, error) {
	return e.cfg.Store.ListKeys(ctx)
}

// RemoveKey stops the named key from pushing.
func (e *Engine) RemoveKey(ctx context.Context, name string) error {
	return e.cfg.Store.RemoveKey(ctx, name)
}
