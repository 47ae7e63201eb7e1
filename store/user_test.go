package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func mustCreateUser(t *testing.T, db *DB, email, role string) *engine.User {
	t.Helper()
	u := &engine.User{Email: email, Role: role}
	require.NoError(t, db.CreateUser(t.Context(), u))
	return u
}

func TestCreateFindListUsers(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	users, err := db.ListUsers(ctx)
	require.NoError(t, err)
	assert.NotNil(t, users)
	assert.Empty(t, users)

	bob := mustCreateUser(t, db, " Bob@Example.COM ", engine.RoleDeveloper)
	assert.Equal(t, "bob@example.com", bob.Email, "stored lowercased and trimmed")
	assert.Equal(t, clk.t, bob.CreatedAt)
	assert.True(t, bob.LastSignIn.IsZero())
	alice := mustCreateUser(t, db, "alice@example.com", engine.RoleAdmin)

	got, err := db.FindUser(ctx, "BOB@example.com")
	require.NoError(t, err)
	assert.Equal(t, bob, got)

	users, err = db.ListUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*engine.User{alice, bob}, users, "ordered by e-mail")
}

func TestCreateUserKeepsGivenCreatedAt(t *testing.T) {
	db, _ := openTest(t)
	at := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	u := &engine.User{Email: "a@example.com", Role: engine.RoleViewer, CreatedAt: at}
	require.NoError(t, db.CreateUser(t.Context(), u))
	got, err := db.FindUser(t.Context(), "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, at, got.CreatedAt)
}

func TestUserErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleViewer)

	tests := []struct {
		name string
		user engine.User
		code string
		msg  string
	}{
		{"duplicate in another case", engine.User{Email: "BOB@example.com", Role: engine.RoleAdmin}, engine.ECONFLICT, `user "bob@example.com" already exists`},
		{"empty email", engine.User{Email: " ", Role: engine.RoleAdmin}, engine.EINVALID, "e-mail"},
		{"unknown role", engine.User{Email: "c@example.com", Role: "root"}, engine.EINVALID, `"root" is not a role`},
		{"empty role", engine.User{Email: "c@example.com"}, engine.EINVALID, "not a role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			requireCode(t, db.CreateUser(ctx, &u), tt.code, tt.msg)
		})
	}
	_, err := db.FindUser(ctx, "nobody@example.com")
	requireCode(t, err, engine.ENOTFOUND, `user "nobody@example.com" not found`)
	requireCode(t, db.UpdateUser(ctx, &engine.User{Email: "nobody@example.com", Role: engine.RoleAdmin}), engine.ENOTFOUND)
	requireCode(t, db.UpdateUser(ctx, &engine.User{Email: "bob@example.com", Role: "boss"}), engine.EINVALID)
	requireCode(t, db.DeleteUser(ctx, "nobody@example.com"), engine.ENOTFOUND)

	users, err := db.ListUsers(ctx)
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, engine.RoleViewer, users[0].Role, "failed update changed nothing")
}

func TestUpdateUser(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	u := mustCreateUser(t, db, "bob@example.com", engine.RoleViewer)
	signin := time.Date(2025, 5, 6, 7, 8, 9, 10, time.UTC)
	u.Email = "Bob@Example.com"
	u.Role, u.PasswordHash, u.Disabled, u.LastSignIn = engine.RoleDeveloper, "$argon2id$x", true, signin
	require.NoError(t, db.UpdateUser(ctx, u))

	got, err := db.FindUser(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, engine.RoleDeveloper, got.Role)
	assert.Equal(t, "$argon2id$x", got.PasswordHash)
	assert.True(t, got.Disabled)
	assert.Equal(t, signin, got.LastSignIn)

	got.LastSignIn = time.Time{}
	require.NoError(t, db.UpdateUser(ctx, got))
	got, err = db.FindUser(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.True(t, got.LastSignIn.IsZero(), "zero time stored as NULL")
}

// countRows counts the rows of table where cond holds.
func countRows(t *testing.T, db *DB, table, cond string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.sql.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+table+` WHERE `+cond, args...).Scan(&n))
	return n
}

func TestDeleteUserCascades(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateUser(t, db, "carol@example.com", engine.RoleDeveloper)
	mustCreateApp(t, db, "web")
	for _, u := range []string{"bob@example.com", "carol@example.com"} {
		require.NoError(t, db.CreateToken(ctx, &engine.Token{User: u, Name: "ci", Hash: "h-" + u}))
		require.NoError(t, db.CreateSession(ctx, &engine.Session{IDHash: "s-" + u, User: u, ExpiresAt: farFuture}))
		require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "l-" + u, User: u, ExpiresAt: farFuture}))
		require.NoError(t, db.GrantAccess(ctx, "web", u))
		require.NoError(t, db.AddKey(ctx, &engine.Key{Name: "k-" + u, Fingerprint: "SHA256:" + u, PublicKey: "ssh-ed25519 A", User: u}))
		require.NoError(t, db.AddAudit(ctx, &engine.AuditEntry{Actor: u, Action: "signin", Success: true}))
	}
	require.NoError(t, db.DeleteUser(ctx, "BOB@example.com"))

	for _, table := range []string{"tokens", "sessions", "setup_links", "app_access", "ssh_keys"} {
		assert.Zero(t, countRows(t, db, table, "user = ?", "bob@example.com"), table)
		assert.Equal(t, 1, countRows(t, db, table, "user = ?", "carol@example.com"), table)
	}
	assert.Equal(t, 1, countRows(t, db, "audit", "actor = ?", "bob@example.com"), "audit entries outlive users")
	_, err := db.FindUser(ctx, "bob@example.com")
	requireCode(t, err, engine.ENOTFOUND)
}

var farFuture = time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
