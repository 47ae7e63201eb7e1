package engine_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

var tokenRe = regexp.MustCompile(`^qs_[0-9A-Za-z]{40}$`)

func TestCreateAndUseToken(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	now := r.clock.Now()

	tok, secret, err := r.acc.CreateToken(r.ctx, "Bob@example.com", " ci ", 30*24*time.Hour)
	require.NoError(t, err)
	assert.Regexp(t, tokenRe, secret)
	sum := sha256.Sum256([]byte(secret))
	assert.Equal(t, hex.EncodeToString(sum[:]), tok.Hash, "stored hashed")
	assert.Equal(t, secret[:8], tok.Prefix)
	assert.Equal(t, "ci", tok.Name)
	assert.Equal(t, "bob@example.com", tok.User)
	assert.Equal(t, now.Add(30*24*time.Hour), tok.ExpiresAt)

	got, u, err := r.acc.AuthenticateToken(r.ctx, secret, "192.0.2.5")
	require.NoError(t, err)
	assert.Equal(t, tok.ID, got.ID)
	assert.Equal(t, "bob@example.com", u.Email)
	stored, err := r.db.FindTokenByHash(r.ctx, tok.Hash)
	require.NoError(t, err)
	assert.Equal(t, now, stored.LastUsedAt)
	assert.Equal(t, "192.0.2.5", stored.LastUsedFrom)

	created := r.audit(engine.AuditTokenCreate)
	require.Len(t, created, 1)
	assert.Equal(t, "bob@example.com", created[0].Target)
	assert.Contains(t, created[0].Detail, tok.Prefix)
	assert.NotContains(t, created[0].Detail, secret)
}

func TestTokenLastUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	tok, secret, err := r.acc.CreateToken(r.ctx, "bob@example.com", "", 0)
	require.NoError(t, err)
	assert.Equal(t, "token", tok.Name, "default name")
	assert.True(t, tok.ExpiresAt.IsZero(), "never expires")

	first := r.clock.Now()
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "192.0.2.1")
	require.NoError(t, err)
	r.clock.Add(59 * time.Second)
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "192.0.2.2")
	require.NoError(t, err)
	stored, err := r.db.FindTokenByHash(r.ctx, tok.Hash)
	require.NoError(t, err)
	assert.Equal(t, first, stored.LastUsedAt)
	assert.Equal(t, "192.0.2.1", stored.LastUsedFrom)

	r.clock.Add(time.Second)
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "192.0.2.3")
	require.NoError(t, err)
	stored, err = r.db.FindTokenByHash(r.ctx, tok.Hash)
	require.NoError(t, err)
	assert.Equal(t, first.Add(time.Minute), stored.LastUsedAt)
	assert.Equal(t, "192.0.2.3", stored.LastUsedFrom)
}

func TestTokenExpires(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	_, secret, err := r.acc.CreateToken(r.ctx, "bob@example.com", "ci", time.Hour)
	require.NoError(t, err)
	r.clock.Add(time.Hour - time.Nanosecond)
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "")
	require.NoError(t, err)
	r.clock.Add(time.Nanosecond)
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "expired on 2025-06-01")
}

func TestRevokeToken(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	bob := r.user("bob@example.com", engine.RoleDeveloper)
	carol := r.user("carol@example.com", engine.RoleDeveloper)
	bobTok, bobSecret, err := r.acc.CreateToken(r.ctx, bob.Email, "ci", 0)
	require.NoError(t, err)
	carolTok, carolSecret, err := r.acc.CreateToken(r.ctx, carol.Email, "ci", 0)
	require.NoError(t, err)
	asBob := engine.UserIdentity(bob, "session", "")
	asAdmin := engine.Identity{Name: "admin@example.com", User: "admin@example.com", Role: engine.RoleAdmin}

	requireCode(t, r.acc.RevokeToken(r.ctx, asBob, carolTok.ID), engine.ENOTFOUND, "not found")
	_, _, err = r.acc.AuthenticateToken(r.ctx, carolSecret, "")
	require.NoError(t, err, "bob cannot revoke carol's token")

	require.NoError(t, r.acc.RevokeToken(r.ctx, asBob, bobTok.ID))
	_, _, err = r.acc.AuthenticateToken(r.ctx, bobSecret, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "revoked")
	require.NoError(t, r.acc.RevokeToken(r.ctx, asBob, bobTok.ID), "twice is fine")

	require.NoError(t, r.acc.RevokeToken(r.ctx, asAdmin, carolTok.ID))
	_, _, err = r.acc.AuthenticateToken(r.ctx, carolSecret, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "revoked")
	requireCode(t, r.acc.RevokeToken(r.ctx, asAdmin, 999), engine.ENOTFOUND)
	requireCode(t, r.acc.RevokeToken(r.ctx, engine.Identity{Name: "laptop", Role: engine.RoleDeveloper}, bobTok.ID), engine.EFORBIDDEN)
	assert.Len(t, r.audit(engine.AuditTokenRevoke), 2)
}

func TestListTokens(t *testing.T) {
	r := newAccRig(t)
	bob := r.user("bob@example.com", engine.RoleDeveloper)
	r.user("carol@example.com", engine.RoleDeveloper)
	_, _, err := r.acc.CreateToken(r.ctx, "bob@example.com", "a", 0)
	require.NoError(t, err)
	_, _, err = r.acc.CreateToken(r.ctx, "carol@example.com", "b", 0)
	require.NoError(t, err)
	asBob := engine.UserIdentity(bob, "token", "")

	toks, err := r.acc.ListTokens(r.ctx, asBob, "BOB@example.com")
	require.NoError(t, err)
	require.Len(t, toks, 1)
	assert.Equal(t, "a", toks[0].Name)
	_, err = r.acc.ListTokens(r.ctx, asBob, "carol@example.com")
	requireCode(t, err, engine.EFORBIDDEN)
	_, err = r.acc.ListTokens(r.ctx, asBob, "")
	requireCode(t, err, engine.EFORBIDDEN)
	toks, err = r.acc.ListTokens(r.ctx, engine.ServerIdentity("server"), "")
	require.NoError(t, err)
	assert.Len(t, toks, 2)
}

func TestTokenErrors(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleDeveloper)
	for _, tt := range []struct {
		name, user, tokName string
		expires             time.Duration
		code                string
	}{
		{"unknown user", "nobody@example.com", "x", 0, engine.ENOTFOUND},
		{"negative expiry", "bob@example.com", "x", -time.Hour, engine.EINVALID},
		{"expiry too far", "bob@example.com", "x", engine.MaxTokenLifetime + time.Hour, engine.EINVALID},
		{"long name", "bob@example.com", string(make([]rune, 65)), 0, engine.EINVALID},
		{"control characters", "bob@example.com", "a\nb", 0, engine.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := r.acc.CreateToken(r.ctx, tt.user, tt.tokName, tt.expires)
			requireCode(t, err, tt.code)
		})
	}

	_, secret, err := r.acc.CreateToken(r.ctx, "bob@example.com", "ci", 0)
	require.NoError(t, err)
	require.NoError(t, r.acc.DisableUser(r.ctx, "bob@example.com"))
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "disabled")
	_, _, err = r.acc.CreateToken(r.ctx, "bob@example.com", "x", 0)
	requireCode(t, err, engine.EFORBIDDEN, "disabled")

	require.NoError(t, r.acc.RemoveUser(r.ctx, "bob@example.com"))
	_, _, err = r.acc.AuthenticateToken(r.ctx, secret, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "not valid")
	for _, bad := range []string{"", "qs_", "nope", "qs_" + string(make([]byte, 300)), secret[:20]} {
		_, _, err = r.acc.AuthenticateToken(r.ctx, bad, "")
		requireCode(t, err, engine.EUNAUTHORIZED, "not valid")
	}
}
