package engine_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

// fakeHasher is a fast Hasher that counts its checks.
type fakeHasher struct{ checks atomic.Int64 }

func (h *fakeHasher) Hash(pw string) (string, error) { return "fake$" + pw, nil }

func (h *fakeHasher) Check(hash, pw string) error {
	h.checks.Add(1)
	if hash != "fake$"+pw {
		return errors.New("mismatch")
	}
	return nil
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testLockedDelay is the rig's LockedDelay: short, but long enough to
// measure that locked attempts are taken one at a time.
const testLockedDelay = 20 * time.Millisecond

// accRig is Accounts on a real store with a fake hasher and clock.
type accRig struct {
	t      *testing.T
	ctx    context.Context
	acc    *engine.Accounts
	db     *store.DB
	hasher *fakeHasher
	clock  *testClock
}

func newAccRig(t *testing.T) *accRig {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	r := &accRig{t: t, db: db, hasher: &fakeHasher{}, clock: &testClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}}
	r.ctx = engine.WithIdentity(t.Context(), engine.Identity{Name: "root@example.com", User: "root@example.com", Role: engine.RoleAdmin, Via: "session", From: "198.51.100.9"})
	r.acc = engine.NewAccounts(engine.AccountsConfig{Store: db, Hasher: r.hasher, Now: r.clock.Now, LockedDelay: testLockedDelay})
	return r
}

// user adds a user with role and sets password "correct horse <email>".
func (r *accRig) user(email, role string) *engine.User {
	r.t.Helper()
	u, secret, err := r.acc.AddUser(r.ctx, email, role)
	require.NoError(r.t, err)
	require.NoError(r.t, r.acc.SetPasswordWithLink(r.ctx, secret, password(email)))
	return u
}

func password(email string) string { return "correct horse " + strings.ToLower(email) }

// audit returns the audit entries with action, oldest first.
func (r *accRig) audit(action string) []*engine.AuditEntry {
	r.t.Helper()
	es, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Limit: 1000})
	require.NoError(r.t, err)
	var out []*engine.AuditEntry
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Action == action {
			out = append(out, es[i])
		}
	}
	return out
}

func requireCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, engine.ErrorCode(err), "error: %v", err)
	for _, p := range parts {
		require.Contains(t, engine.ErrorMessage(err), p)
	}
}

func TestAddUserAndSetPassword(t *testing.T) {
	r := newAccRig(t)
	u, secret, err := r.acc.AddUser(r.ctx, " Alice@Example.COM", engine.RoleAdmin)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", u.Email)
	assert.Equal(t, engine.RoleAdmin, u.Role)
	assert.Empty(t, u.PasswordHash)
	assert.Len(t, secret, 43, "32 random bytes, base64url")

	require.NoError(t, r.acc.SetPasswordWithLink(r.ctx, secret, "a long enough password"))
	got, err := r.acc.FindUser(r.ctx, "ALICE@example.com")
	require.NoError(t, err)
	assert.Equal(t, "fake$a long enough password", got.PasswordHash)

	added := r.audit(engine.AuditUserAdd)
	require.Len(t, added, 1)
	assert.Equal(t, "root@example.com", added[0].Actor, "actor from the context's identity")
	assert.Equal(t, "198.51.100.9", added[0].From)
	assert.Equal(t, "alice@example.com", added[0].Target)
	pw := r.audit(engine.AuditUserPassword)
	require.Len(t, pw, 1)
	assert.Equal(t, "alice@example.com", pw[0].Actor)
	assert.NotContains(t, pw[0].Detail, "long enough", "never the password")

	_, _, err = r.acc.AddUser(r.ctx, "ALICE@example.com", engine.RoleViewer)
	requireCode(t, err, engine.ECONFLICT, "already exists")
}

func TestAddUserRejectsBadInput(t *testing.T) {
	r := newAccRig(t)
	for _, tt := range []struct{ email, role, field string }{
		{"not-an-email", engine.RoleAdmin, "email"},
		{"", engine.RoleAdmin, "email"},
		{"a@example.com", "root", "role"},
		{"a@example.com", "", "role"},
	} {
		_, _, err := r.acc.AddUser(r.ctx, tt.email, tt.role)
		requireCode(t, err, engine.EINVALID)
		assert.Contains(t, engine.ErrorFields(err), tt.field)
	}
	users, err := r.acc.ListUsers(r.ctx)
	require.NoError(t, err)
	assert.Empty(t, users)
}

func TestSetupLinkWorksOnce(t *testing.T) {
	r := newAccRig(t)
	_, secret, err := r.acc.AddUser(r.ctx, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, err)
	require.NoError(t, r.acc.SetPasswordWithLink(r.ctx, secret, "first password!"))
	err = r.acc.SetPasswordWithLink(r.ctx, secret, "second password!")
	requireCode(t, err, engine.ENOTFOUND, "setup link is not valid")

	u, err := r.acc.FindUser(r.ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, "fake$first password!", u.PasswordHash)
}

func TestCheckSetupLink(t *testing.T) {
	r := newAccRig(t)
	_, secret, err := r.acc.AddUser(r.ctx, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, err)
	require.NoError(t, r.acc.CheckSetupLink(r.ctx, secret))
	require.NoError(t, r.acc.CheckSetupLink(r.ctx, secret), "checking leaves the link usable")
	require.NoError(t, r.acc.SetPasswordWithLink(r.ctx, secret, "first password!"))
	requireCode(t, r.acc.CheckSetupLink(r.ctx, secret), engine.ENOTFOUND, "setup link is not valid")
	requireCode(t, r.acc.CheckSetupLink(r.ctx, ""), engine.ENOTFOUND)
	requireCode(t, r.acc.CheckSetupLink(r.ctx, strings.Repeat("x", 1000)), engine.ENOTFOUND)
}

func TestSetupLinkExpires(t *testing.T) {
	r := newAccRig(t)
	_, secret, err := r.acc.AddUser(r.ctx, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, err)
	r.clock.Add(engine.DefaultSetupLinkTTL)
	requireCode(t, r.acc.SetPasswordWithLink(r.ctx, secret, "a fine password"), engine.ENOTFOUND, "expired")
}

func TestBadPasswordKeepsTheLink(t *testing.T) {
	r := newAccRig(t)
	_, secret, err := r.acc.AddUser(r.ctx, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, err)
	tests := []struct{ name, pw, msg string }{
		{"too short", "short", "too short"},
		{"nine characters", "123456789", "at least 10"},
		{"too long", strings.Repeat("x", engine.MaxPasswordLen+1), "too long"},
		{"the email", "Bob@Example.com", "must not be your e-mail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.acc.SetPasswordWithLink(r.ctx, secret, tt.pw)
			requireCode(t, err, engine.EINVALID, tt.msg)
			assert.Contains(t, engine.ErrorFields(err), "password")
		})
	}
	require.NoError(t, r.acc.SetPasswordWithLink(r.ctx, secret, "ten chars!"), "the link still works")
	requireCode(t, r.acc.SetPasswordWithLink(r.ctx, "", "a fine password"), engine.ENOTFOUND)
	requireCode(t, r.acc.SetPasswordWithLink(r.ctx, strings.Repeat("x", 1000), "a fine password"), engine.ENOTFOUND)
}

func TestNewSetupLinkReplacesTheOldOne(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	first, err := r.acc.NewSetupLink(r.ctx, "BOB@example.com")
	require.NoError(t, err)
	second, err := r.acc.NewSetupLink(r.ctx, "bob@example.com")
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	requireCode(t, r.acc.SetPasswordWithLink(r.ctx, first, "a new password"), engine.ENOTFOUND)

	_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "192.0.2.1")
	require.NoError(t, err)
	require.NoError(t, r.acc.SetPasswordWithLink(r.ctx, second, "a new password"))
	_, _, err = r.acc.Authenticate(r.ctx, secret)
	requireCode(t, err, engine.EUNAUTHORIZED, "sign in again")
	_, _, err = r.acc.SignIn(r.ctx, "bob@example.com", "a new password", "192.0.2.1")
	require.NoError(t, err)

	_, err = r.acc.NewSetupLink(r.ctx, "nobody@example.com")
	requireCode(t, err, engine.ENOTFOUND)
}
