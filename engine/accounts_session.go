package engine

import (
	"context"
	"crypto/subtle"
	"time"
)

// errSessionEnded is the answer to a session that is unknown, expired or
// of a user who can no longer sign in.
var errSessionEnded = Errorf(EUNAUTHORIZED, "your session has ended: sign in again")

// Authenticate returns the session whose secret is sessionSecret and its
// user. A session unknown, idle for SessionIdle, older than SessionMax, or
// of a disabled or removed user is EUNAUTHORIZED (and deleted). It records
// the session's use at most once a minute.
func (a *Accounts) Authenticate(ctx context.Context, sessionSecret string) (*Session, *User, error) {
	if !plausibleSecret(sessionSecret) {
		return nil, nil, errSessionEnded
	}
	s, err := a.cfg.Store.FindSession(ctx, hashSecret(sessionSecret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, errSessionEnded
	}
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeen.Add(a.cfg.SessionIdle)) {
		return nil, nil, a.endSession(ctx, s)
	}
	u, err := a.cfg.Store.FindUser(ctx, s.User)
	if ErrorCode(err) == ENOTFOUND || err == nil && u.Disabled {
		return nil, nil, a.endSession(ctx, s)
	}
	if err != nil {
		return nil, nil, err
	}
	return s, u, a.touchSession(ctx, s, now)
}

// endSession deletes s and returns errSessionEnded, or why it could not.
func (a *Accounts) endSession(ctx context.Context, s *Session) error {
	if err := a.cfg.Store.DeleteSession(ctx, s.IDHash); err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	return errSessionEnded
}

func (a *Accounts) touchSession(ctx context.Context, s *Session, now time.Time) error {
	if now.Sub(s.LastSeen) < sessionTouchEvery {
		return nil
	}
	if err := a.cfg.Store.TouchSession(ctx, s.IDHash, now); err != nil {
		return err
	}
	s.LastSeen = now
	return nil
}

// SignOut ends the session whose secret is sessionSecret. Signing out of
// a session that has already ended is not an error.
func (a *Accounts) SignOut(ctx context.Context, sessionSecret string) error {
	if !plausibleSecret(sessionSecret) {
		return nil
	}
	hash := hashSecret(sessionSecret)
	s, err := a.cfg.Store.FindSession(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.cfg.Store.DeleteSession(ctx, hash); err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	a.record(ctx, AuditEntry{Actor: s.User, Action: AuditSignOut, Target: s.User, Success: true})
	return nil
}

// SignOutEverywhere ends every session of the user, and their work in
// progress (Hold).
func (a *Accounts) SignOutEverywhere(ctx context.Context, email string) error {
	if err := a.cfg.Store.DeleteUserSessions(ctx, NormalizeEmail(email)); err != nil {
		return err
	}
	a.cutOff(ctx, email, ErrSignedOutEverywhere)
	return nil
}

// CheckCSRF reports whether token, sent with a form or in a header, is the
// session's CSRF token. It compares in constant time.
func CheckCSRF(s *Session, token string) bool {
	return s != nil && s.CSRFToken != "" && subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(token)) == 1
}
