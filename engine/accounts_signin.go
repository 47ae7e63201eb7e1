package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// sessionTouchEvery limits how often a used session's LastSeen is written.
const sessionTouchEvery = time.Minute

// maxEmailLen bounds the e-mail a sign-in attempt may name.
const maxEmailLen = 254

// errSignIn is the one answer to a wrong e-mail or password, so that the
// answer does not tell which accounts exist.
var errSignIn = Errorf(EUNAUTHORIZED, "wrong e-mail or password")

// SignIn checks email and password and starts a session for the user. It
// returns the session and its secret, which the caller sets as a cookie
// and never stores. A wrong e-mail or password is EUNAUTHORIZED (the same
// for both, taking about as long); a disabled account EFORBIDDEN; too
// many failed attempts from the address EUNAVAILABLE. An account with too
// many failed attempts is in lockout (see signInLocked): the right
// password gets in, a wrong one is EUNAVAILABLE.
// Every attempt is recorded in the audit log, never with the password.
func (a *Accounts) SignIn(ctx context.Context, email, password, from string) (*Session, string, error) {
	email = NormalizeEmail(email)
	email = cut(email, maxEmailLen)
	now, addr := a.now(), addressKey(from)
	fresh := a.byAddress.clean(addr, now)
	locked, err := a.admit(ctx, email, from, addr, now)
	if err != nil {
		return nil, "", err
	}
	if locked != nil {
		return a.signInLocked(ctx, email, password, from, addr, now, fresh, locked)
	}
	u, err := a.checkPassword(ctx, email, password)
	var failed *signInFailedError
	if errors.As(err, &failed) {
		a.recordSignIn(ctx, email, from, false, failed.reason)
		return nil, "", errSignIn
	}
	if err != nil { // the password could not be checked: not a guess
		a.byAccount.forgive(email, now)
		a.byAddress.forgive(addr, now)
		return nil, "", err
	}
	return a.signedIn(ctx, u, from, addr, now)
}

// signInLocked is SignIn for an account in lockout: the right password
// gets in, anything else is refused with locked (the throttling answer).
// Attempts from addresses that failed lately wait their turn, one at a
// time per account, each after LockedDelay; an address without failures
// (the owner's, say) goes first, once: its failure makes it wait next
// time. So guesses from a stranger's addresses are slowed to about one per
// LockedDelay, and cannot keep the owner waiting behind them.
func (a *Accounts) signInLocked(ctx context.Context, email, password, from, addr string, now time.Time, fresh bool, locked error) (*Session, string, error) {
	if !fresh {
		done, err := a.lockout.wait(ctx, email, a.cfg.LockedDelay)
		if err != nil {
			a.byAddress.forgive(addr, now)
			return nil, "", locked
		}
		defer done()
	}
	u, err := a.checkPassword(ctx, email, password)
	var failed *signInFailedError
	if errors.As(err, &failed) {
		return nil, "", locked
	}
	if err != nil {
		a.byAddress.forgive(addr, now)
		return nil, "", err
	}
	return a.signedIn(ctx, u, from, addr, now)
}

// signedIn finishes a sign-in whose password was right: it clears the
// account's failures and starts a session unless the account is disabled.
func (a *Accounts) signedIn(ctx context.Context, u *User, from, addr string, now time.Time) (*Session, string, error) {
	a.byAccount.reset(u.Email)
	a.byAddress.forgive(addr, now)
	if u.Disabled {
		a.recordSignIn(ctx, u.Email, from, false, "account disabled")
		return nil, "", Errorf(EFORBIDDEN, "your account is disabled: ask an admin to enable it")
	}
	s, secret, err := a.startSession(ctx, u, from, now)
	if err != nil {
		return nil, "", err
	}
	a.recordSignIn(ctx, u.Email, from, true, "")
	return s, secret, nil
}

// admit counts the attempt as a failure of the account and of the address
// in advance (a successful one is forgiven). It refuses an address that
// has failed too often lately (err), and tells when the account has
// (locked, the answer to give unless the password is right). Only the
// first refusal or lockout of each episode is recorded in the audit log,
// so that a flood of attempts cannot flood it.
func (a *Accounts) admit(ctx context.Context, email, from, addr string, now time.Time) (locked, err error) {
	accountWait, accountFirst := a.byAccount.take(email, now)
	if wait, first := a.byAddress.take(addr, now); wait > 0 {
		if accountWait <= 0 {
			a.byAccount.forgive(email, now)
		}
		if first {
			a.recordSignIn(ctx, email, from, false, "too many failed attempts from this address: refusing more for a while")
			a.log.WarnContext(ctx, "refusing sign-ins: too many failed attempts from an address", "email", email, "from", from)
		}
		return nil, throttledError(wait)
	}
	if accountWait <= 0 {
		return nil, nil
	}
	if accountFirst {
		a.recordSignIn(ctx, email, from, false, "too many failed attempts: slowing down attempts on this account, only the right password gets in")
		a.log.WarnContext(ctx, "slowing sign-ins: too many failed attempts on an account", "email", email, "from", from)
	}
	return throttledError(accountWait), nil
}

// throttledError is the answer to a throttled attempt, allowed again in wait.
func throttledError(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return Errorf(EUNAVAILABLE, "too many failed sign-in attempts: try again in %d %s", minutes, unit)
}

// signInFailedError is why a sign-in failed, for the audit log only.
type signInFailedError struct{ reason string }

func (e *signInFailedError) Error() string { return e.reason }

// checkPassword returns the user when password is theirs. An unknown user
// or one without a password costs a hash check all the same.
func (a *Accounts) checkPassword(ctx context.Context, email, password string) (*User, error) {
	u, err := a.cfg.Store.FindUser(ctx, email)
	if ErrorCode(err) == ENOTFOUND {
		a.checkDummy(ctx, password)
		return nil, &signInFailedError{"unknown user"}
	}
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" {
		a.checkDummy(ctx, password)
		return nil, &signInFailedError{"no password set"}
	}
	if len(password) > MaxPasswordLen {
		return nil, &signInFailedError{"wrong password"}
	}
	if err := a.check(ctx, u.PasswordHash, password); err == errHasherBusy {
		return nil, err
	} else if err != nil {
		return nil, &signInFailedError{"wrong password"}
	}
	return u, nil
}

// checkDummy spends the time a password check takes.
func (a *Accounts) checkDummy(ctx context.Context, password string) {
	a.dummyOnce.Do(func() {
		a.dummyHash, _ = a.cfg.Hasher.Hash("quayside: no such user")
	})
	if a.dummyHash != "" && len(password) <= MaxPasswordLen {
		_ = a.check(ctx, a.dummyHash, password)
	}
}

func (a *Accounts) recordSignIn(ctx context.Context, email, from string, ok bool, reason string) {
	action := AuditSignIn
	if !ok {
		action = AuditSignInFailed
	}
	a.record(ctx, AuditEntry{Actor: email, Action: action, Target: email, Detail: reason, From: from, Success: ok})
}

// startSession creates a session for u and records the sign-in.
func (a *Accounts) startSession(ctx context.Context, u *User, from string, now time.Time) (*Session, string, error) {
	secret, err := randomSecret()
	if err != nil {
		return nil, "", err
	}
	csrf, err := randomSecret()
	if err != nil {
		return nil, "", err
	}
	s := &Session{IDHash: hashSecret(secret), User: u.Email, CSRFToken: csrf, CreatedAt: now,
		ExpiresAt: now.Add(a.cfg.SessionMax), LastSeen: now, From: from}
	if err := a.cfg.Store.CreateSession(ctx, s); err != nil {
		return nil, "", err
	}
	u.LastSignIn = now
	if err := a.cfg.Store.UpdateUser(ctx, u); err != nil {
		return nil, "", fmt.Errorf("record sign-in: %w", err)
	}
	return s, secret, nil
}
