package engine_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSignIn(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	now := r.clock.Now()

	s, secret, err := r.acc.SignIn(r.ctx, "  BOB@example.com ", password("bob@example.com"), "192.0.2.1")
	require.NoError(t, err)
	assert.Equal(t, "bob@example.com", s.User)
	assert.Len(t, secret, 43)
	assert.NotEqual(t, secret, s.IDHash, "only the hash is kept")
	assert.Len(t, s.IDHash, 64)
	assert.Len(t, s.CSRFToken, 43)
	assert.Equal(t, now, s.CreatedAt)
	assert.Equal(t, now.Add(engine.DefaultSessionMax), s.ExpiresAt)
	assert.Equal(t, "192.0.2.1", s.From)

	got, u, err := r.acc.Authenticate(r.ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, s.IDHash, got.IDHash)
	assert.Equal(t, "bob@example.com", u.Email)
	assert.Equal(t, now, u.LastSignIn)
	assert.True(t, engine.CheckCSRF(got, s.CSRFToken))
	assert.False(t, engine.CheckCSRF(got, "forged"))
	assert.False(t, engine.CheckCSRF(got, ""))

	ok := r.audit(engine.AuditSignIn)
	require.Len(t, ok, 1)
	assert.Equal(t, engine.AuditEntry{ID: ok[0].ID, Time: now, Actor: "bob@example.com", Action: "signin",
		Target: "bob@example.com", From: "192.0.2.1", Success: true}, *ok[0])
}

func TestSignInFailures(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	_, _, err := r.acc.AddUser(r.ctx, "carol@example.com", engine.RoleViewer) // no password yet
	require.NoError(t, err)

	tests := []struct{ name, email, pw, reason string }{
		{"wrong password", "bob@example.com", "wrong password!", "wrong password"},
		{"unknown user", "nobody@example.com", "whatever it is", "unknown user"},
		{"no password set", "carol@example.com", "", "no password set"},
		{"huge password", "bob@example.com", string(make([]byte, 5000)), "wrong password"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := r.hasher.checks.Load()
			_, _, err := r.acc.SignIn(r.ctx, tt.email, tt.pw, fmt.Sprintf("192.0.2.%d", i))
			requireCode(t, err, engine.EUNAUTHORIZED, "wrong e-mail or password")
			if tt.reason != "wrong password" || len(tt.pw) < 1000 {
				assert.Equal(t, checks+1, r.hasher.checks.Load(), "one hash check, whether or not the user exists")
			}
			failed := r.audit(engine.AuditSignInFailed)
			last := failed[len(failed)-1]
			assert.Equal(t, tt.reason, last.Detail)
			assert.Equal(t, tt.email, last.Actor)
			assert.False(t, last.Success)
			if tt.pw != "" {
				for _, f := range []string{last.Actor, last.Target, last.Detail, last.From} {
					assert.NotContains(t, f, tt.pw, "never the password")
				}
			}
		})
	}
	assert.Len(t, r.audit(engine.AuditSignIn), 0)
}

func TestSignInDisabledUser(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleDeveloper)
	require.NoError(t, r.acc.DisableUser(r.ctx, "bob@example.com"))

	_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", "wrong password!", "192.0.2.1")
	requireCode(t, err, engine.EUNAUTHORIZED, "wrong e-mail or password")
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "192.0.2.1")
	requireCode(t, err, engine.EFORBIDDEN, "disabled")

	require.NoError(t, r.acc.EnableUser(r.ctx, "bob@example.com"))
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "192.0.2.1")
	require.NoError(t, err)
}

func TestSignInThrottlesPerAccount(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	for i := range engine.DefaultMaxFailuresPerAccount {
		_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", "guess number "+fmt.Sprint(i), fmt.Sprintf("192.0.2.%d", i))
		requireCode(t, err, engine.EUNAUTHORIZED)
		r.clock.Add(time.Minute)
	}
	// Five failures at minutes 0..4: the first leaves the window at 15.
	checks := r.hasher.checks.Load()
	_, _, err := r.acc.SignIn(r.ctx, "BOB@example.com", password("bob@example.com"), "203.0.113.50")
	requireCode(t, err, engine.EUNAVAILABLE, "too many failed sign-in attempts: try again in 10 minutes")
	assert.Equal(t, checks, r.hasher.checks.Load(), "no password is checked while throttled")
	failed := r.audit(engine.AuditSignInFailed)
	assert.Contains(t, failed[len(failed)-1].Detail, "too many failed attempts")
	for range 10 {
		_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", "more guesses", "203.0.113.50")
		requireCode(t, err, engine.EUNAVAILABLE)
	}
	assert.Len(t, r.audit(engine.AuditSignInFailed), len(failed), "a lockout is recorded once, not every refusal")

	_, _, err = r.acc.SignIn(r.ctx, "carol@example.com", "a guess at carol", "203.0.113.50")
	requireCode(t, err, engine.EUNAUTHORIZED, "wrong e-mail or password")

	r.clock.Add(10*time.Minute - time.Second)
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "203.0.113.50")
	requireCode(t, err, engine.EUNAVAILABLE, "try again in 1 minute")
	r.clock.Add(time.Second)
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "203.0.113.50")
	require.NoError(t, err)

	// Success resets the account's count.
	for range engine.DefaultMaxFailuresPerAccount - 1 {
		_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", "another guess", "203.0.113.50")
		requireCode(t, err, engine.EUNAUTHORIZED)
	}
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "203.0.113.50")
	require.NoError(t, err)
}

func TestSignInThrottlesPerAddress(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	for i := range engine.DefaultMaxFailuresPerAddress {
		_, _, err := r.acc.SignIn(r.ctx, fmt.Sprintf("user%d@example.com", i), "guessing away", fmt.Sprintf("[2001:db8::%x]:4000%d", i, i%10))
		requireCode(t, err, engine.EUNAUTHORIZED)
	}
	_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8::ffff")
	requireCode(t, err, engine.EUNAVAILABLE, "try again in 15 minutes")
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8:1::1")
	require.NoError(t, err, "another /64 may sign in")

	r.clock.Add(engine.DefaultFailureWindow)
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8::ffff")
	require.NoError(t, err, "failures leave the window")
}

func TestSignInThrottleHoldsUnderConcurrency(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	before := r.hasher.checks.Load()
	done := make(chan error, 50)
	for i := range 50 {
		go func() {
			_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", fmt.Sprintf("guess %d...", i), "192.0.2.1")
			done <- err
		}()
	}
	codes := map[string]int{}
	for range 50 {
		codes[engine.ErrorCode(<-done)]++
	}
	assert.Equal(t, map[string]int{engine.EUNAUTHORIZED: 5, engine.EUNAVAILABLE: 45}, codes)
	assert.Equal(t, before+5, r.hasher.checks.Load(), "only five guesses were checked")
}

func TestSessionExpires(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		r := newAccRig(t)
		r.user("bob@example.com", engine.RoleDeveloper)
		_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
		require.NoError(t, err)
		for range 3 {
			r.clock.Add(engine.DefaultSessionIdle - time.Minute)
			_, _, err = r.acc.Authenticate(r.ctx, secret)
			require.NoError(t, err, "use keeps it alive")
		}
		r.clock.Add(engine.DefaultSessionIdle)
		_, _, err = r.acc.Authenticate(r.ctx, secret)
		requireCode(t, err, engine.EUNAUTHORIZED, "sign in again")
		sum := sha256.Sum256([]byte(secret))
		_, err = r.db.FindSession(r.ctx, hex.EncodeToString(sum[:]))
		requireCode(t, err, engine.ENOTFOUND) // an expired session is deleted
	})
	t.Run("absolute", func(t *testing.T) {
		r := newAccRig(t)
		r.user("bob@example.com", engine.RoleDeveloper)
		_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
		require.NoError(t, err)
		for elapsed := time.Duration(0); elapsed < engine.DefaultSessionMax-engine.DefaultSessionIdle; elapsed += time.Hour {
			r.clock.Add(time.Hour)
			_, _, err = r.acc.Authenticate(r.ctx, secret)
			require.NoError(t, err)
		}
		r.clock.Add(engine.DefaultSessionIdle)
		_, _, err = r.acc.Authenticate(r.ctx, secret)
		requireCode(t, err, engine.EUNAUTHORIZED)
	})
	t.Run("disabled user", func(t *testing.T) {
		r := newAccRig(t)
		r.user("bob@example.com", engine.RoleDeveloper)
		_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
		require.NoError(t, err)
		require.NoError(t, r.db.UpdateUser(r.ctx, &engine.User{Email: "bob@example.com", Role: engine.RoleDeveloper, Disabled: true}))
		_, _, err = r.acc.Authenticate(r.ctx, secret)
		requireCode(t, err, engine.EUNAUTHORIZED)
	})
}

func TestAuthenticateRejectsUnknownSessions(t *testing.T) {
	r := newAccRig(t)
	for _, secret := range []string{"", "nope", string(make([]byte, 4096))} {
		_, _, err := r.acc.Authenticate(r.ctx, secret)
		requireCode(t, err, engine.EUNAUTHORIZED, "sign in again")
	}
}

func TestSignOut(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	_, s1, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
	require.NoError(t, err)
	_, s2, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
	require.NoError(t, err)

	require.NoError(t, r.acc.SignOut(r.ctx, s1))
	_, _, err = r.acc.Authenticate(r.ctx, s1)
	requireCode(t, err, engine.EUNAUTHORIZED)
	_, _, err = r.acc.Authenticate(r.ctx, s2)
	require.NoError(t, err, "other sessions go on")
	require.NoError(t, r.acc.SignOut(r.ctx, s1), "twice is fine")
	require.NoError(t, r.acc.SignOut(r.ctx, ""))
	assert.Len(t, r.audit(engine.AuditSignOut), 1)

	require.NoError(t, r.acc.SignOutEverywhere(r.ctx, "BOB@example.com"))
	_, _, err = r.acc.Authenticate(r.ctx, s2)
	requireCode(t, err, engine.EUNAUTHORIZED)
}
