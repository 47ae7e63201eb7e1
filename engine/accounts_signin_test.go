package engine_test

import (
	"context"
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
	// The account is in lockout: wrong passwords are refused as throttled.
	_, _, err := r.acc.SignIn(r.ctx, "BOB@example.com", "a sixth guess", "203.0.113.50")
	requireCode(t, err, engine.EUNAVAILABLE, "too many failed sign-in attempts: try again in 10 minutes")
	failed := r.audit(engine.AuditSignInFailed)
	assert.Contains(t, failed[len(failed)-1].Detail, "too many failed attempts")
	for range 10 {
		_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", "more guesses", "203.0.113.51")
		requireCode(t, err, engine.EUNAVAILABLE)
	}
	assert.Len(t, r.audit(engine.AuditSignInFailed), len(failed), "a lockout is recorded once, not every refusal")

	_, _, err = r.acc.SignIn(r.ctx, "carol@example.com", "a guess at carol", "203.0.113.52")
	requireCode(t, err, engine.EUNAUTHORIZED, "wrong e-mail or password")

	// The right password still gets in, and success resets the count.
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "203.0.113.53")
	require.NoError(t, err)
	for range engine.DefaultMaxFailuresPerAccount - 1 {
		_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", "another guess", "203.0.113.54")
		requireCode(t, err, engine.EUNAUTHORIZED)
	}
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "203.0.113.54")
	require.NoError(t, err)
}

// TestStrangerCannotLockAdminOut performs the attack: a stranger spends
// the admin's failed attempts from many addresses; the admin, with the
// right password from a fresh address, still gets in, while the
// stranger's guesses are slowed to one per LockedDelay and an address
// that reaches its limit is still refused.
func TestStrangerCannotLockAdminOut(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	for i := range 3 * engine.DefaultMaxFailuresPerAccount {
		_, _, err := r.acc.SignIn(r.ctx, "admin@example.com", "stranger's guess", fmt.Sprintf("192.0.2.%d", i))
		require.Error(t, err)
	}

	t.Run("the admin gets in", func(t *testing.T) {
		s, secret, err := r.acc.SignIn(r.ctx, "admin@example.com", password("admin@example.com"), "203.0.113.7")
		require.NoError(t, err)
		assert.NotEmpty(t, secret)
		assert.Equal(t, "admin@example.com", s.User)
	})

	// guessAll makes n wrong guesses at once from addresses that have
	// failed before (so they queue) and returns their answers.
	guessAll := func(n int) chan error {
		for i := range n {
			_, _, _ = r.acc.SignIn(r.ctx, "admin@example.com", "first guess", fmt.Sprintf("198.18.0.%d", i))
		}
		for i := range engine.DefaultMaxFailuresPerAccount { // locked again, if the owner unlocked it
			_, _, _ = r.acc.SignIn(r.ctx, "admin@example.com", "again", fmt.Sprintf("192.0.2.%d", 100+i))
		}
		done := make(chan error, n)
		for i := range n {
			go func() {
				_, _, err := r.acc.SignIn(r.ctx, "admin@example.com", "parallel guess", fmt.Sprintf("198.18.0.%d", i))
				done <- err
			}()
		}
		return done
	}
	const n = 5
	t.Run("locked attempts are taken one at a time", func(t *testing.T) {
		start := time.Now()
		done := guessAll(n)
		for range n {
			requireCode(t, <-done, engine.EUNAVAILABLE)
		}
		assert.GreaterOrEqual(t, time.Since(start), n*testLockedDelay, "one guess per LockedDelay")
	})
	t.Run("the owner does not wait behind the guesses", func(t *testing.T) {
		// An Accounts whose locked attempts wait an hour: guesses queued
		// there hold the account's turn for the whole test, so the owner
		// gets in only if it does not queue behind them.
		acc := engine.NewAccounts(engine.AccountsConfig{Store: r.db, Hasher: r.hasher, Now: r.clock.Now, LockedDelay: time.Hour})
		for i := range n {
			_, _, err := acc.SignIn(r.ctx, "admin@example.com", "first guess", fmt.Sprintf("198.18.1.%d", i))
			requireCode(t, err, engine.EUNAUTHORIZED)
		}
		ctx, cancel := context.WithCancel(r.ctx)
		defer cancel()
		done := make(chan error, n)
		for i := range n {
			go func() {
				_, _, err := acc.SignIn(ctx, "admin@example.com", "parallel guess", fmt.Sprintf("198.18.1.%d", i))
				done <- err
			}()
		}
		require.Eventually(t, func() bool { return engine.LockoutQueued(acc, "admin@example.com") == n },
			time.Minute, time.Millisecond, "the guesses queue")

		owner, stop := context.WithTimeout(r.ctx, time.Minute)
		defer stop()
		_, _, err := acc.SignIn(owner, "admin@example.com", password("admin@example.com"), "203.0.113.8")
		require.NoError(t, err, "the owner got in while the guesses held the account's turn")
		assert.Equal(t, n, engine.LockoutQueued(acc, "admin@example.com"), "the guesses are still waiting")
		cancel()
		for range n {
			requireCode(t, <-done, engine.EUNAVAILABLE)
		}
		assert.Zero(t, engine.LockoutQueued(acc, "admin@example.com"), "the gate forgets the account")
	})

	t.Run("the per-address limit still refuses", func(t *testing.T) {
		for i := range engine.DefaultMaxFailuresPerAddress {
			_, _, _ = r.acc.SignIn(r.ctx, fmt.Sprintf("u%d@example.com", i), "guess", "198.51.100.1")
		}
		checks := r.hasher.checks.Load()
		_, _, err := r.acc.SignIn(r.ctx, "admin@example.com", password("admin@example.com"), "198.51.100.1")
		requireCode(t, err, engine.EUNAVAILABLE, "try again in")
		assert.Equal(t, checks, r.hasher.checks.Load(), "no password is checked for a refused address")
	})
}

func TestSignInThrottlesPerAddress(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	for i := range engine.DefaultMaxFailuresPerAddress {
		// Every attempt from another /64 of the attacker's /48.
		_, _, err := r.acc.SignIn(r.ctx, fmt.Sprintf("user%d@example.com", i), "guessing away", fmt.Sprintf("[2001:db8:0:%x::1]:4000%d", i, i%10))
		requireCode(t, err, engine.EUNAUTHORIZED)
	}
	_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8:0:ffff::1")
	requireCode(t, err, engine.EUNAVAILABLE, "try again in 15 minutes")
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8:1::1")
	require.NoError(t, err, "another /48 may sign in")

	r.clock.Add(engine.DefaultFailureWindow)
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "2001:db8::ffff")
	require.NoError(t, err, "failures leave the window")
}

func TestSignInThrottlesIPv4PerAddress(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	for i := range engine.DefaultMaxFailuresPerAddress {
		_, _, err := r.acc.SignIn(r.ctx, fmt.Sprintf("user%d@example.com", i), "guessing away", "192.0.2.10")
		requireCode(t, err, engine.EUNAUTHORIZED)
	}
	_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "192.0.2.10")
	requireCode(t, err, engine.EUNAVAILABLE)
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "192.0.2.11")
	require.NoError(t, err, "the neighbouring IPv4 address is not throttled")
}

// TestSignInThrottleHoldsUnderConcurrency: fifty guesses at once from one
// address: no more passwords are checked than the address may fail, and
// no more answer "wrong password" than the account may fail.
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
	assert.Equal(t, 50, codes[engine.EUNAUTHORIZED]+codes[engine.EUNAVAILABLE], "%v", codes)
	assert.LessOrEqual(t, codes[engine.EUNAUTHORIZED], engine.DefaultMaxFailuresPerAccount)
	assert.LessOrEqual(t, r.hasher.checks.Load()-before, int64(engine.DefaultMaxFailuresPerAddress), "only the address's allowance was checked")
}

// blockingHasher is a ContextHasher whose checks tell entered that they
// started and then wait for ctx to end.
type blockingHasher struct {
	fakeHasher
	entered chan struct{}
}

func (h *blockingHasher) HashContext(_ context.Context, pw string) (string, error) { return h.Hash(pw) }
func (h *blockingHasher) CheckContext(ctx context.Context, _, _ string) error {
	h.entered <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func TestSignInThatGivesUpWaitingIsNoGuess(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	h := &blockingHasher{entered: make(chan struct{})}
	acc := engine.NewAccounts(engine.AccountsConfig{Store: r.db, Hasher: h, Now: r.clock.Now})
	// More attempts than the address may fail, each given up while its
	// password is being checked: none counts as a failure.
	for range engine.DefaultMaxFailuresPerAddress + 1 {
		ctx, cancel := context.WithCancel(r.ctx)
		done := make(chan error, 1)
		go func() {
			_, _, err := acc.SignIn(ctx, "bob@example.com", "whatever", "192.0.2.1")
			done <- err
		}()
		<-h.entered
		cancel()
		requireCode(t, <-done, engine.EUNAVAILABLE, "busy")
	}
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
