package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Token limits.
const (
	MaxTokenLifetime = 10 * 365 * 24 * time.Hour
	maxTokenNameLen  = 64
	// tokenTouchEvery limits how often a token's last use is written.
	tokenTouchEvery = time.Minute
)

// errTokenInvalid is the answer to a token that is unknown or malformed.
var errTokenInvalid = Errorf(EUNAUTHORIZED, "this API token is not valid: create one with `quayside tokens create`")

// CreateToken makes an API token for user, named name ("token" when
// empty), that expires after expiresIn (never when 0). It returns the
// token and its secret, which is shown once and stored only hashed.
func (a *Accounts) CreateToken(ctx context.Context, user, name string, expiresIn time.Duration) (*Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if err := validateTokenName(name); err != nil {
		return nil, "", err
	}
	if expiresIn < 0 || expiresIn > MaxTokenLifetime {
		return nil, "", FieldError("expires", "a token must expire within 10 years (or never)")
	}
	u, err := a.cfg.Store.FindUser(ctx, NormalizeEmail(user))
	if err != nil {
		return nil, "", err
	}
	if u.Disabled {
		return nil, "", Errorf(EFORBIDDEN, "the account %s is disabled: it cannot have new tokens", u.Email)
	}
	return a.createToken(ctx, u.Email, name, expiresIn)
}

func (a *Accounts) createToken(ctx context.Context, user, name string, expiresIn time.Duration) (*Token, string, error) {
	secret, err := newTokenSecret()
	if err != nil {
		return nil, "", err
	}
	now := a.now()
	t := &Token{User: user, Name: name, Hash: hashSecret(secret), Prefix: secret[:tokenShownLen], CreatedAt: now}
	if expiresIn > 0 {
		t.ExpiresAt = now.Add(expiresIn)
	}
	if err := a.cfg.Store.CreateToken(ctx, t); err != nil {
		return nil, "", err
	}
	a.record(ctx, AuditEntry{Action: AuditTokenCreate, Target: user, Detail: tokenDetail(t), Success: true})
	return t, secret, nil
}

func validateTokenName(name string) error {
	ok := utf8.RuneCountInString(name) <= maxTokenNameLen && !strings.ContainsFunc(name, func(r rune) bool {
		return !unicode.IsPrint(r)
	})
	if !ok {
		return FieldError("name", "a token name must be at most %d printable characters", maxTokenNameLen)
	}
	return nil
}

func tokenDetail(t *Token) string {
	return fmt.Sprintf("token %d %q (%s...)", t.ID, t.Name, t.Prefix)
}

// AuthenticateToken returns the token whose secret is tokenSecret and its
// user, and records the use (at most once a minute per token). A token
// unknown, revoked, expired, or of a disabled user is EUNAUTHORIZED.
func (a *Accounts) AuthenticateToken(ctx context.Context, tokenSecret, from string) (*Token, *User, error) {
	if !strings.HasPrefix(tokenSecret, tokenPrefix) || !plausibleSecret(tokenSecret) {
		return nil, nil, errTokenInvalid
	}
	t, err := a.cfg.Store.FindTokenByHash(ctx, hashSecret(tokenSecret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, errTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	u, err := a.checkToken(ctx, t, now)
	if err != nil {
		return nil, nil, err
	}
	a.touchToken(ctx, t, now, from)
	return t, u, nil
}

// checkToken returns t's user if t may be used at now.
func (a *Accounts) checkToken(ctx context.Context, t *Token, now time.Time) (*User, error) {
	switch {
	case t.Revoked:
		return nil, Errorf(EUNAUTHORIZED, "this API token (%s...) has been revoked", t.Prefix)
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return nil, Errorf(EUNAUTHORIZED, "this API token (%s...) expired on %s: create a new one", t.Prefix, t.ExpiresAt.Format(time.DateOnly))
	}
	u, err := a.cfg.Store.FindUser(ctx, t.User)
	if ErrorCode(err) == ENOTFOUND {
		return nil, errTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "the account of this API token is disabled")
	}
	return u, nil
}

// touchToken records a use of t, unless one was recorded less than a
// minute ago. A failure is logged: the request may go on.
func (a *Accounts) touchToken(ctx context.Context, t *Token, now time.Time, from string) {
	if !t.LastUsedAt.IsZero() && now.Sub(t.LastUsedAt) < tokenTouchEvery {
		return
	}
	if err := a.cfg.Store.TouchToken(ctx, t.ID, now, from); err != nil {
		a.log.WarnContext(ctx, "cannot record token use", "token", t.ID, "err", err)
		return
	}
	t.LastUsedAt, t.LastUsedFrom = now, from
}

// ListTokens returns the tokens of user, or everyone's when user is "".
// A user may list their own tokens; admins anyone's. Others get
// EFORBIDDEN.
func (a *Accounts) ListTokens(ctx context.Context, actor Identity, user string) ([]*Token, error) {
	user = NormalizeEmail(user)
	if !mayManageCredentialsOf(actor, user) {
		return nil, Errorf(EFORBIDDEN, "you may only list your own tokens")
	}
	return a.cfg.Store.ListTokens(ctx, user)
}

// RevokeToken revokes token id. A user may revoke their own tokens;
// admins anyone's. Another user's token is ENOTFOUND, as if it did not
// exist.
func (a *Accounts) RevokeToken(ctx context.Context, actor Identity, id int64) error {
	owner := ""
	if actor.Role != RoleAdmin {
		owner = NormalizeEmail(actor.User)
		if owner == "" {
			return Errorf(EFORBIDDEN, "only users and admins can revoke tokens")
		}
	}
	toks, err := a.cfg.Store.ListTokens(ctx, owner)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.ID == id {
			return a.revoke(ctx, t)
		}
	}
	return Errorf(ENOTFOUND, "token %d not found", id)
}

func (a *Accounts) revoke(ctx context.Context, t *Token) error {
	if t.Revoked {
		return nil
	}
	if err := a.cfg.Store.RevokeToken(ctx, t.ID); err != nil {
		return err
	}
	a.record(ctx, AuditEntry{Action: AuditTokenRevoke, Target: t.User, Detail: tokenDetail(t), Success: true})
	a.cutOff(ctx, t.User, ErrCredentialRevoked)
	return nil
}
