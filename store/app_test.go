package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCreateAndFindApp(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	app := &engine.App{
		Name: "web", DeployBranch: "prod", State: engine.AppActive,
		CurrentRelease: 7, ConfigVersion: 3, // ignored: a new app has neither
		Health:    engine.HealthCheck{Path: "/healthz", Timeout: 90 * time.Second, DrainTimeout: 1500 * time.Millisecond},
		CreatedBy: "alice",
	}
	require.NoError(t, db.CreateApp(ctx, app))
	assert.False(t, app.CreatedAt.IsZero())
	assert.Zero(t, app.CurrentRelease)
	assert.Zero(t, app.ConfigVersion)

	got, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, app, got)
}

func TestCreateAppDefaults(t *testing.T) {
	db, _ := openTest(t)
	app := mustCreateApp(t, db, "web")
	assert.Equal(t, engine.DefaultDeployBranch, app.DeployBranch)
	assert.Equal(t, engine.AppActive, app.State)
	got, err := db.FindApp(t.Context(), "web")
	require.NoError(t, err)
	assert.Equal(t, app, got)
}

func TestCreateAppErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	t.Run("duplicate", func(t *testing.T) {
		app := &engine.App{Name: "web"}
		requireCode(t, db.CreateApp(ctx, app), engine.ECONFLICT, `app "web" already exists`)
		assert.True(t, app.CreatedAt.IsZero(), "a failed create leaves the argument alone")
	})
	t.Run("empty name", func(t *testing.T) {
		requireCode(t, db.CreateApp(ctx, &engine.App{}), engine.EINVALID, "empty")
	})
	t.Run("unknown state", func(t *testing.T) {
		requireCode(t, db.CreateApp(ctx, &engine.App{Name: "x", State: "sleeping"}), engine.EINVALID, "sleeping")
	})
}

func TestFindAppNotFound(t *testing.T) {
	db, _ := openTest(t)
	_, err := db.FindApp(t.Context(), "nope")
	requireCode(t, err, engine.ENOTFOUND, `app "nope" not found`)
}

func TestListApps(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	apps, err := db.ListApps(ctx)
	require.NoError(t, err)
	assert.NotNil(t, apps)
	assert.Empty(t, apps)

	for _, n := range []string{"zeta", "alpha", "mid"} {
		mustCreateApp(t, db, n)
	}
	apps, err = db.ListApps(ctx)
	require.NoError(t, err)
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, names)
}

func TestUpdateApp(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	app := mustCreateApp(t, db, "web")

	upd := *app
	upd.DeployBranch = "release"
	upd.State = engine.AppDestroying
	upd.Health = engine.HealthCheck{Path: "/up", Timeout: time.Minute, DrainTimeout: 5 * time.Second}
	upd.CurrentRelease, upd.ConfigVersion = 9, 9          // not written by UpdateApp
	upd.CreatedBy, upd.CreatedAt = "mallory", time.Time{} // nor these
	require.NoError(t, db.UpdateApp(ctx, &upd))

	got, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	want := *app
	want.DeployBranch, want.State, want.Health = "release", engine.AppDestroying, upd.Health
	assert.Equal(t, &want, got)
}

func TestUpdateAppErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	requireCode(t, db.UpdateApp(ctx, &engine.App{Name: "nope"}), engine.ENOTFOUND, `app "nope" not found`)
	mustCreateApp(t, db, "web")
	requireCode(t, db.UpdateApp(ctx, &engine.App{Name: "web", State: "bogus"}), engine.EINVALID)
}

func TestDeleteAppCascades(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "other")
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web", Vars: map[string]string{"A": "1"}}))
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "other"}))
	mustCreateRelease(t, db, "web")
	mustCreateRelease(t, db, "other")

	require.NoError(t, db.DeleteApp(ctx, "web"))

	count := func(table string) int {
		var n int
		require.NoError(t, db.sql.QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
		return n
	}
	assert.Equal(t, 1, count("apps"))
	assert.Equal(t, 1, count("releases"), "only the other app's release is left")
	assert.Equal(t, 1, count("config_versions"), "only the other app's config is left")
	_, err := db.FindApp(ctx, "web")
	requireCode(t, err, engine.ENOTFOUND)

	t.Run("recreated app starts from scratch", func(t *testing.T) {
		mustCreateApp(t, db, "web")
		r := mustCreateRelease(t, db, "web")
		assert.Equal(t, 1, r.Number)
		_, err := db.FindConfigVersion(ctx, "web", 1)
		requireCode(t, err, engine.ENOTFOUND)
	})
	t.Run("missing", func(t *testing.T) {
		requireCode(t, db.DeleteApp(ctx, "nope"), engine.ENOTFOUND, `app "nope" not found`)
	})
}
