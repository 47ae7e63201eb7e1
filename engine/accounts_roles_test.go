package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestLastAdminIsKept(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleDeveloper)

	requireCode(t, r.acc.ChangeRole(r.ctx, "admin@example.com", engine.RoleDeveloper), engine.ECONFLICT, "admin@example.com is the last admin: make another user admin first")
	requireCode(t, r.acc.DisableUser(r.ctx, "admin@example.com"), engine.ECONFLICT, "last admin")
	requireCode(t, r.acc.RemoveUser(r.ctx, "ADMIN@example.com"), engine.ECONFLICT, "last admin")
	u, err := r.acc.FindUser(r.ctx, "admin@example.com")
	require.NoError(t, err)
	assert.Equal(t, engine.RoleAdmin, u.Role)
	assert.False(t, u.Disabled)

	require.NoError(t, r.acc.ChangeRole(r.ctx, "bob@example.com", engine.RoleAdmin))
	require.NoError(t, r.acc.DisableUser(r.ctx, "bob@example.com"))
	requireCode(t, r.acc.RemoveUser(r.ctx, "admin@example.com"), engine.ECONFLICT, "last admin") // a disabled admin does not count

	require.NoError(t, r.acc.EnableUser(r.ctx, "bob@example.com"))
	require.NoError(t, r.acc.RemoveUser(r.ctx, "admin@example.com"))
	requireCode(t, r.acc.ChangeRole(r.ctx, "bob@example.com", engine.RoleViewer), engine.ECONFLICT, "bob@example.com is the last admin")
}

func TestChangeRole(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleViewer)
	require.NoError(t, r.acc.ChangeRole(r.ctx, "Bob@example.com", engine.RoleDeveloper))
	require.NoError(t, r.acc.ChangeRole(r.ctx, "bob@example.com", engine.RoleDeveloper), "no change")
	u, err := r.acc.FindUser(r.ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, engine.RoleDeveloper, u.Role)
	assert.NotEmpty(t, u.PasswordHash, "the password is kept")

	roles := r.audit(engine.AuditUserRole)
	require.Len(t, roles, 1, "only real changes are recorded")
	assert.Equal(t, "viewer -> developer", roles[0].Detail)
	assert.Equal(t, "bob@example.com", roles[0].Target)

	requireCode(t, r.acc.ChangeRole(r.ctx, "bob@example.com", "owner"), engine.EINVALID, "not a role")
	requireCode(t, r.acc.ChangeRole(r.ctx, "nobody@example.com", engine.RoleViewer), engine.ENOTFOUND)
}

func TestDisableEndsSessions(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleDeveloper)
	_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
	require.NoError(t, err)
	require.NoError(t, r.acc.DisableUser(r.ctx, "bob@example.com"))
	_, _, err = r.acc.Authenticate(r.ctx, secret)
	requireCode(t, err, engine.EUNAUTHORIZED)
	assert.Len(t, r.audit(engine.AuditUserDisable), 1)
	requireCode(t, r.acc.DisableUser(r.ctx, "nobody@example.com"), engine.ENOTFOUND)
}

func TestRemoveUser(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleDeveloper)
	_, secret, err := r.acc.SignIn(r.ctx, "bob@example.com", password("bob@example.com"), "")
	require.NoError(t, err)
	require.NoError(t, r.acc.RemoveUser(r.ctx, "bob@example.com"))
	_, _, err = r.acc.Authenticate(r.ctx, secret)
	requireCode(t, err, engine.EUNAUTHORIZED)
	_, err = r.acc.FindUser(r.ctx, "bob@example.com")
	requireCode(t, err, engine.ENOTFOUND)
	removed := r.audit(engine.AuditUserRemove)
	require.Len(t, removed, 1)
	assert.Equal(t, "bob@example.com", removed[0].Target)
	assert.NotEmpty(t, r.audit(engine.AuditSignIn), "the user's history stays")
	requireCode(t, r.acc.RemoveUser(r.ctx, "bob@example.com"), engine.ENOTFOUND)
}
