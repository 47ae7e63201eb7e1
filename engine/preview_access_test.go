package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// TestPreviewRoles: whoever may deploy an app may push its previews,
// viewers see them, strangers nothing; everything is audited as a preview.
func TestPreviewRoles(t *testing.T) {
	ar := newAccRig(t)
	r := &rig{t: t, db: ar.db, rt: enginetest.NewRuntime(), router: enginetest.NewRouter(), builder: &enginetest.Builder{}, repos: &enginetest.Repos{}}
	r.eng = engine.New(engine.Config{
		Store: ar.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos, Access: ar.acc,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
	admin := ar.ctx
	as := func(u *engine.User) context.Context {
		return engine.WithIdentity(context.Background(), engine.UserIdentity(u, "ssh", ""))
	}
	bob := as(ar.user("bob@example.com", engine.RoleDeveloper))
	carol := as(ar.user("carol@example.com", engine.RoleViewer))
	dave := as(ar.user("dave@example.com", engine.RoleDeveloper))
	for _, app := range []string{"shop", "other"} {
		require.NoError(t, r.eng.PreparePush(admin, app, "root"))
		_, out, err := r.pushRef(admin, app, "refs/heads/main", app+"-prod")
		require.NoError(t, err, out)
		_, err = r.eng.EnablePreviews(admin, engine.PreviewsRequest{App: app})
		require.NoError(t, err)
	}
	require.NoError(t, ar.acc.Grant(admin, "shop", "bob@example.com"))
	require.NoError(t, ar.acc.Grant(admin, "shop", "carol@example.com"))

	_, _, err := r.pushRef(carol, "shop", "refs/heads/x", "img")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "a viewer cannot push a preview")
	_, _, err = r.pushRef(bob, "other", "refs/heads/x", "img")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "a developer of shop cannot push a preview of other")
	apps, _ := r.db.ListApps(context.Background())
	assert.Len(t, apps, 2, "no preview was made by a refused push")

	rel, out, err := r.pushRef(bob, "shop", "refs/heads/x", "img")
	require.NoError(t, err, out)
	ps, err := r.eng.ListPreviews(carol, "shop")
	require.NoError(t, err)
	assert.Len(t, ps, 1, "viewers of the app see its previews")
	_, err = r.eng.FindApp(carol, rel.App)
	require.NoError(t, err)
	cv, err := r.eng.Config(carol, rel.App)
	require.NoError(t, err)
	for _, v := range cv.Vars {
		assert.Empty(t, v, "viewers see names, not values")
	}
	ps, err = r.eng.ListPreviews(dave, "")
	require.NoError(t, err)
	assert.Empty(t, ps, "strangers see nothing")
	_, err = r.eng.ListPreviews(dave, "shop")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	_, err = r.eng.FindApp(dave, rel.App)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	_, err = r.eng.EnablePreviews(carol, engine.PreviewsRequest{App: "shop", Max: 50})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
	err = r.eng.DeleteBranch(carol, "shop", "refs/heads/x")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
	err = r.eng.DestroyPreview(dave, "shop", "x")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	require.NoError(t, r.eng.DestroyPreview(bob, "shop", "x"))
	pushes := ar.audit(engine.AuditPreviewPush)
	require.Len(t, pushes, 1)
	assert.Equal(t, "shop", pushes[0].App)
	assert.Equal(t, "bob@example.com", pushes[0].Actor)
	assert.Len(t, ar.audit(engine.AuditPush), 2, "only the production pushes count as pushes")
	assert.Len(t, ar.audit(engine.AuditPreviewDestroy), 1)
}

// Each new preview is a new app with a new host, and may order a new
// certificate: a developer pushing new branch names in a loop (deleting
// them to stay under the app's maximum) counts against the same hourly
// limit as creating apps, so the server cannot be run into the CA's rate
// limits through previews.
func TestPreviewCreationsCountAsNewApps(t *testing.T) {
	ar := newAccRig(t)
	r := &rig{t: t, db: ar.db, rt: enginetest.NewRuntime(), router: enginetest.NewRouter(), builder: &enginetest.Builder{}, repos: &enginetest.Repos{}}
	r.eng = engine.New(engine.Config{
		Store: ar.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos, Access: ar.acc,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
	admin := ar.ctx
	require.NoError(t, r.eng.PreparePush(admin, "shop", "root"))
	_, out, err := r.pushRef(admin, "shop", "refs/heads/main", "prod")
	require.NoError(t, err, out)
	_, err = r.eng.EnablePreviews(admin, engine.PreviewsRequest{App: "shop", Max: 2})
	require.NoError(t, err)
	bob := engine.WithIdentity(context.Background(), engine.UserIdentity(ar.user("bob@example.com", engine.RoleDeveloper), "ssh", ""))
	require.NoError(t, ar.acc.Grant(admin, "shop", "bob@example.com"))

	for i := range engine.MaxAppCreatesPerHour {
		branch := fmt.Sprintf("b%d", i)
		_, out, err := r.pushRef(bob, "shop", "refs/heads/"+branch, "img")
		require.NoError(t, err, out)
		require.NoError(t, r.eng.DeleteBranch(bob, "shop", "refs/heads/"+branch))
	}
	_, _, err = r.pushRef(bob, "shop", "refs/heads/one-more", "img")
	require.Error(t, err)
	assert.Equal(t, engine.ETOOMANY, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "an hour")
	ps, err := r.eng.ListPreviews(admin, "shop")
	require.NoError(t, err)
	assert.Empty(t, ps, "the refused push made no preview")

	_, out, err = r.pushRef(admin, "shop", "refs/heads/admin-branch", "img")
	require.NoError(t, err, out, "admins are not limited")
}
