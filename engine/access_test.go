package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// accessRig is the engine rig with access control by real Accounts.
func accessRig(t *testing.T) (*rig, *engine.Accounts) {
	t.Helper()
	r := newRig(t)
	acc := engine.NewAccounts(engine.AccountsConfig{Store: r.db, Hasher: &fakeHasher{}})
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", Access: acc,
	})
	ctx := context.Background()
	for email, role := range map[string]string{"ann@x.io": engine.RoleDeveloper, "bob@x.io": engine.RoleDeveloper, "vic@x.io": engine.RoleViewer, "ada@x.io": engine.RoleAdmin} {
		_, _, err := acc.AddUser(ctx, email, role)
		require.NoError(t, err)
	}
	return r, acc
}

func as(email, role string) context.Context {
	return engine.WithIdentity(context.Background(), engine.Identity{Name: email, User: email, Role: role, Via: "token", From: "192.0.2.1"})
}

func TestAccessControlInTheEngine(t *testing.T) {
	r, acc := accessRig(t)
	ann, bob, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper),
		as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)

	require.NoError(t, r.eng.PreparePush(ann, "shop", "ignored"))
	_, err := r.eng.Push(ann, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
	require.NoError(t, err)
	rels, err := r.eng.ListReleases(ann, "shop", 0)
	require.NoError(t, err)
	assert.Equal(t, "ann@x.io", rels[0].Author, "the author comes from the identity")

	t.Run("other developers cannot see the app", func(t *testing.T) {
		_, err := r.eng.FindApp(bob, "shop")
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(r.eng.PreparePush(bob, "shop", "")))
		apps, err := r.eng.ListApps(bob)
		require.NoError(t, err)
		assert.Empty(t, apps)
	})
	t.Run("a viewer with access may read but not change", func(t *testing.T) {
		require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))
		_, err := r.eng.FindApp(vic, "shop")
		require.NoError(t, err)
		_, err = r.eng.SetConfig(vic, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1"}})
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.PreparePush(vic, "shop", "")))
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.PreparePush(vic, "newapp", "")), "viewers create nothing")
	})
	t.Run("only admins destroy", func(t *testing.T) {
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.Destroy(ann, "shop")))
		require.NoError(t, r.eng.Destroy(ada, "shop"))
	})
	t.Run("changes are in the audit log with who and from where", func(t *testing.T) {
		entries, err := acc.ListAudit(context.Background(), engine.AuditQuery{App: "shop"})
		require.NoError(t, err)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+"/"+e.Actor)
			if e.Action == engine.AuditPush {
				assert.Equal(t, "192.0.2.1", e.From)
				assert.True(t, e.Success)
			}
		}
		assert.Contains(t, actions, "app.create/ann@x.io")
		assert.Contains(t, actions, "push/ann@x.io")
		assert.Contains(t, actions, "app.destroy/ada@x.io")
		assert.Contains(t, actions, "denied.app.destroy/ann@x.io", "refused attempts are recorded too")
	})
}
