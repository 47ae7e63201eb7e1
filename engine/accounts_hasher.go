package engine

import "context"

// ContextHasher is a Hasher whose runs give up waiting (for their share of
// memory, say) when ctx ends, returning an error. Accounts uses these
// methods when its Hasher has them, with the request's context, so that a
// sign-in whose client went away stops waiting.
type ContextHasher interface {
	HashContext(ctx context.Context, pw string) (string, error)
	CheckContext(ctx context.Context, hash, pw string) error
}

// errHasherBusy answers a password check that gave up waiting.
var errHasherBusy = Errorf(EUNAVAILABLE, "the server is busy checking passwords: try again in a moment")

func (a *Accounts) hash(ctx context.Context, pw string) (string, error) {
	if h, ok := a.cfg.Hasher.(ContextHasher); ok {
		return h.HashContext(ctx, pw)
	}
	return a.cfg.Hasher.Hash(pw)
}

// check is Hasher.Check with ctx. Giving up because ctx ended is
// errHasherBusy, never a mismatch: it is not a wrong guess.
func (a *Accounts) check(ctx context.Context, hash, pw string) error {
	h, ok := a.cfg.Hasher.(ContextHasher)
	if !ok {
		return a.cfg.Hasher.Check(hash, pw)
	}
	err := h.CheckContext(ctx, hash, pw)
	if err != nil && ctx.Err() != nil {
		return errHasherBusy
	}
	return err
}
