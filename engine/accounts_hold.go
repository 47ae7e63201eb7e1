package engine

import (
	"context"
	"sync"
)

// Why long-lived work of a user ends (the cause of its context).
var (
	ErrAccountDisabled = Errorf(EUNAUTHORIZED, "your account was disabled: ask an admin to enable it")
	ErrAccountRemoved  = Errorf(EUNAUTHORIZED, "your account was removed")
	ErrAccountDemoted  = Errorf(EFORBIDDEN, "your role was lowered while this ran: start it again if your new role allows it")
	// The next three cut off all of the user's held work, not only what
	// the revoked credential or app started: Hold knows users, not
	// credentials. Work started with what remains may simply start again.
	ErrAccessRevoked       = Errorf(EFORBIDDEN, "your access to an app was taken away while this ran: start it again if you still may")
	ErrCredentialRevoked   = Errorf(EUNAUTHORIZED, "one of your API tokens was revoked while this ran: start it again with a valid credential")
	ErrSignedOutEverywhere = Errorf(EUNAUTHORIZED, "you were signed out everywhere while this ran: sign in again")
)

// holds are the contexts of users' long-lived work (log streams, pushes),
// cancelled when their user loses rights.
type holds struct {
	mu     sync.Mutex
	byUser map[string]map[*hold]struct{}
}

type hold struct{ cancel context.CancelCauseFunc }

// Hold returns a context derived from ctx that is cancelled, with a cause
// saying why (ErrAccountDisabled, ErrAccountRemoved, ErrAccountDemoted,
// ErrAccessRevoked, ErrCredentialRevoked, ErrSignedOutEverywhere: read it
// with context.Cause), as soon as the user of ctx's identity is disabled,
// removed or given a lower role, loses access to an app, has a token
// revoked or is signed out everywhere. Long-lived work done for a
// user (following logs, a push) runs under it, so that taking rights
// away takes effect at once, not when the work ends. The caller must call
// the returned function when the work ends. For an identity without a
// user (the server's owner) or no identity the context only ends with ctx.
//
// Hold reads the user again after registering, so a change made between
// the identity's check and this call is not missed: the context is then
// cancelled before Hold returns.
func (a *Accounts) Hold(ctx context.Context) (context.Context, context.CancelFunc) {
	id, ok := IdentityFrom(ctx)
	if !ok || id.User == "" {
		return context.WithCancel(ctx)
	}
	user := NormalizeEmail(id.User)
	hctx, cancel := context.WithCancelCause(ctx)
	h := &hold{cancel: cancel}
	a.holds.add(user, h)
	release := func() {
		a.holds.remove(user, h)
		cancel(context.Canceled)
	}
	if cause := a.lostRights(ctx, user, id.Role); cause != nil {
		cancel(cause)
	}
	return hctx, release
}

// lostRights is why user, who acted with role, may no longer act so: nil
// while they still may (or when that cannot be read now).
func (a *Accounts) lostRights(ctx context.Context, user, role string) error {
	u, err := a.cfg.Store.FindUser(ctx, user)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return ErrAccountRemoved
	case err != nil:
		a.log.WarnContext(ctx, "cannot read user to hold their work", "user", user, "err", err)
		return nil
	case u.Disabled:
		return ErrAccountDisabled
	case roleRank(u.Role) < roleRank(role):
		return ErrAccountDemoted
	}
	return nil
}

// cutOff cancels user's held work with cause.
func (a *Accounts) cutOff(ctx context.Context, user string, cause error) {
	if n := a.holds.cancel(NormalizeEmail(user), cause); n > 0 {
		a.log.InfoContext(ctx, "stopped a user's work in progress", "user", user, "count", n, "why", ErrorMessage(cause))
	}
}

// roleRank orders roles by what they allow.
func roleRank(role string) int {
	switch role {
	case RoleAdmin:
		return 2
	case RoleDeveloper:
		return 1
	}
	return 0
}

func (hs *holds) add(user string, h *hold) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.byUser == nil {
		hs.byUser = map[string]map[*hold]struct{}{}
	}
	if hs.byUser[user] == nil {
		hs.byUser[user] = map[*hold]struct{}{}
	}
	hs.byUser[user][h] = struct{}{}
}

func (hs *holds) remove(user string, h *hold) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	delete(hs.byUser[user], h)
	if len(hs.byUser[user]) == 0 {
		delete(hs.byUser, user)
	}
}

// cancel cancels and forgets every hold of user and returns how many.
func (hs *holds) cancel(user string, cause error) int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	n := len(hs.byUser[user])
	for h := range hs.byUser[user] {
		h.cancel(cause)
	}
	delete(hs.byUser, user)
	return n
}

// HeldWork is how many pieces of work of the user are held (Hold) now.
func (a *Accounts) HeldWork(email string) int {
	return a.holds.held(NormalizeEmail(email))
}

func (hs *holds) held(user string) int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return len(hs.byUser[user])
}
