package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestAppAccess(t *testing.T) {
	r := newAccRig(t)
	admin := r.user("admin@example.com", engine.RoleAdmin)
	bob := r.user("bob@example.com", engine.RoleDeveloper)
	carol := r.user("carol@example.com", engine.RoleViewer)
	for _, name := range []string{"api2", "web", "worker"} {
		require.NoError(t, r.db.CreateApp(r.ctx, &engine.App{Name: name, CreatedBy: "bob@example.com"}))
	}
	require.NoError(t, r.acc.Grant(r.ctx, "web", "BOB@example.com"))
	require.NoError(t, r.acc.Grant(r.ctx, "api2", "bob@example.com"))
	require.NoError(t, r.acc.Grant(r.ctx, "web", "carol@example.com"))

	ids := map[string]engine.Identity{
		"admin":     engine.UserIdentity(admin, "session", ""),
		"server":    engine.ServerIdentity("server"),
		"bob":       engine.UserIdentity(bob, "token", ""),
		"carol":     engine.UserIdentity(carol, "session", ""),
		"owner key": {Name: "laptop", Role: engine.RoleDeveloper, Via: "ssh"},
	}
	want := map[string][]string{
		"admin": {"api2", "web", "worker"}, "server": {"api2", "web", "worker"},
		"bob": {"api2", "web"}, "carol": {"web"}, "owner key": {},
	}
	apps, err := r.db.ListApps(r.ctx)
	require.NoError(t, err)
	for who, id := range ids {
		t.Run(who, func(t *testing.T) {
			visible, err := r.acc.VisibleApps(r.ctx, id, apps)
			require.NoError(t, err)
			names := []string{}
			for _, a := range visible {
				names = append(names, a.Name)
			}
			assert.Equal(t, want[who], names)
			for _, a := range apps {
				ok, err := r.acc.CanSee(r.ctx, id, a.Name)
				require.NoError(t, err)
				assert.Equal(t, contains(want[who], a.Name), ok, a.Name)
			}
		})
	}

	members, err := r.acc.Members(r.ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.com", "carol@example.com"}, members)
	require.NoError(t, r.acc.Revoke(r.ctx, "web", "bob@example.com"))
	ok, err := r.acc.CanSee(r.ctx, ids["bob"], "web")
	require.NoError(t, err)
	assert.False(t, ok)
	requireCode(t, r.acc.Revoke(r.ctx, "web", "bob@example.com"), engine.ENOTFOUND)
	requireCode(t, r.acc.Grant(r.ctx, "nope", "bob@example.com"), engine.ENOTFOUND)
	requireCode(t, r.acc.Grant(r.ctx, "web", "nobody@example.com"), engine.ENOTFOUND)

	grants := r.audit(engine.AuditAccessGrant)
	require.Len(t, grants, 3)
	assert.Equal(t, "web", grants[0].App)
	assert.Equal(t, "bob@example.com", grants[0].Target)
	assert.Len(t, r.audit(engine.AuditAccessRevoke), 1)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAuthorize(t *testing.T) {
	r := newAccRig(t)
	bob := r.user("bob@example.com", engine.RoleDeveloper)
	carol := r.user("carol@example.com", engine.RoleViewer)
	require.NoError(t, r.db.CreateApp(r.ctx, &engine.App{Name: "web"}))
	require.NoError(t, r.db.CreateApp(r.ctx, &engine.App{Name: "secret"}))
	require.NoError(t, r.acc.Grant(r.ctx, "web", bob.Email))
	require.NoError(t, r.acc.Grant(r.ctx, "web", carol.Email))
	asBob, asCarol := engine.UserIdentity(bob, "session", ""), engine.UserIdentity(carol, "session", "")

	tests := []struct {
		name string
		id   engine.Identity
		act  engine.Action
		app  string
		code string
	}{
		{"developer deploys a granted app", asBob, engine.ActDeploy, "web", ""},
		{"developer cannot see another app", asBob, engine.ActReadApp, "secret", engine.ENOTFOUND},
		{"developer creates apps", asBob, engine.ActCreateApp, "", ""},
		{"developer cannot manage users", asBob, engine.ActManageUsers, "", engine.EFORBIDDEN},
		{"viewer reads", asCarol, engine.ActReadApp, "web", ""},
		{"viewer cannot deploy", asCarol, engine.ActDeploy, "web", engine.EFORBIDDEN},
		{"viewer cannot see config values", asCarol, engine.ActRevealConfig, "web", engine.EFORBIDDEN},
		{"hidden app looks missing even for a forbidden action", asCarol, engine.ActDeploy, "secret", engine.ENOTFOUND},
		{"server does anything", engine.ServerIdentity("server"), engine.ActDestroyApp, "secret", ""},
		{"nobody", engine.Identity{}, engine.ActReadApp, "web", engine.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.acc.Authorize(r.ctx, tt.id, tt.act, tt.app)
			assert.Equal(t, tt.code, engine.ErrorCode(err), "%v", err)
		})
	}
	err := r.acc.Authorize(r.ctx, asBob, engine.ActReadApp, "secret")
	assert.Equal(t, `app "secret" not found`, engine.ErrorMessage(err))
}
