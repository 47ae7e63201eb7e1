package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func statuses(t *testing.T, db *DB, app string) map[int]string {
	t.Helper()
	rs, err := db.ListReleases(t.Context(), app, 0)
	require.NoError(t, err)
	m := map[int]string{}
	for _, r := range rs {
		m[r.Number] = r.Status
	}
	return m
}

func TestActivateRelease(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "other")
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web"}))
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web"}))
	r1 := &engine.Release{App: "web", ConfigVersion: 1}
	require.NoError(t, db.CreateRelease(ctx, r1))
	r2 := &engine.Release{App: "web", ConfigVersion: 2, Status: engine.ReleaseDeploying}
	require.NoError(t, db.CreateRelease(ctx, r2))
	o1 := mustCreateRelease(t, db, "other")
	require.NoError(t, db.ActivateRelease(ctx, "other", o1.Number, time.Now()))

	at1 := time.Date(2027, 1, 1, 0, 0, 0, 1, time.FixedZone("y", -3600))
	require.NoError(t, db.ActivateRelease(ctx, "web", 1, at1))
	assert.Equal(t, map[int]string{1: "active", 2: "deploying"}, statuses(t, db, "web"))
	app, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, 1, app.CurrentRelease)
	assert.Equal(t, 1, app.ConfigVersion)
	got1, err := db.FindRelease(ctx, "web", 1)
	require.NoError(t, err)
	assert.Equal(t, at1.UTC(), got1.FinishedAt)

	at2 := at1.Add(time.Hour)
	require.NoError(t, db.ActivateRelease(ctx, "web", 2, at2))
	assert.Equal(t, map[int]string{1: "retired", 2: "active"}, statuses(t, db, "web"))
	app, err = db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, 2, app.CurrentRelease)
	assert.Equal(t, 2, app.ConfigVersion)
	got1, err = db.FindRelease(ctx, "web", 1)
	require.NoError(t, err)
	assert.Equal(t, at1.UTC(), got1.FinishedAt, "retiring keeps the time the release finished deploying")

	assert.Equal(t, map[int]string{1: "active"}, statuses(t, db, "other"), "other apps are untouched")

	t.Run("activating the active release again", func(t *testing.T) {
		require.NoError(t, db.ActivateRelease(ctx, "web", 2, at2))
		assert.Equal(t, map[int]string{1: "retired", 2: "active"}, statuses(t, db, "web"))
	})
	t.Run("back to a retired release", func(t *testing.T) {
		require.NoError(t, db.ActivateRelease(ctx, "web", 1, at2))
		assert.Equal(t, map[int]string{1: "active", 2: "retired"}, statuses(t, db, "web"))
		app, err := db.FindApp(ctx, "web")
		require.NoError(t, err)
		assert.Equal(t, 1, app.CurrentRelease)
		assert.Equal(t, 1, app.ConfigVersion)
	})
}

func TestActivateReleaseErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	requireCode(t, db.ActivateRelease(ctx, "nope", 1, time.Now()), engine.ENOTFOUND, `app "nope" not found`)
	mustCreateApp(t, db, "web")
	requireCode(t, db.ActivateRelease(ctx, "web", 3, time.Now()), engine.ENOTFOUND, `release 3 of app "web" not found`)

	r := mustCreateRelease(t, db, "web")
	r.Status = engine.ReleaseFailed
	require.NoError(t, db.UpdateRelease(ctx, r))
	requireCode(t, db.ActivateRelease(ctx, "web", r.Number, time.Now()), engine.ECONFLICT, "failed")
	assert.Equal(t, map[int]string{1: "failed"}, statuses(t, db, "web"))
}

// TestActivateReleaseIsAtomic makes the last write of ActivateRelease fail
// (a trigger refuses the update of the app) and checks that the writes
// before it were rolled back with it.
func TestActivateReleaseIsAtomic(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	r1 := mustCreateRelease(t, db, "web")
	r2 := mustCreateRelease(t, db, "web")
	require.NoError(t, db.ActivateRelease(ctx, "web", r1.Number, time.Now()))
	before1, err := db.FindRelease(ctx, "web", r1.Number)
	require.NoError(t, err)

	rawExec(t, db, `CREATE TRIGGER refuse BEFORE UPDATE OF current_release ON apps
		BEGIN SELECT RAISE(ABORT, 'refused by test'); END`)
	err = db.ActivateRelease(ctx, "web", r2.Number, time.Now())
	require.Error(t, err)

	assert.Equal(t, map[int]string{1: "active", 2: "building"}, statuses(t, db, "web"))
	after1, err := db.FindRelease(ctx, "web", r1.Number)
	require.NoError(t, err)
	assert.Equal(t, before1, after1)
	after2, err := db.FindRelease(ctx, "web", r2.Number)
	require.NoError(t, err)
	assert.True(t, after2.FinishedAt.IsZero())
	app, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, r1.Number, app.CurrentRelease)

	rawExec(t, db, `DROP TRIGGER refuse`)
	require.NoError(t, db.ActivateRelease(ctx, "web", r2.Number, time.Now()))
	assert.Equal(t, map[int]string{1: "retired", 2: "active"}, statuses(t, db, "web"))
}

func TestFailUnfinishedReleases(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "api")
	w1 := mustCreateRelease(t, db, "web") // active
	require.NoError(t, db.ActivateRelease(ctx, "web", w1.Number, time.Now()))
	w2 := mustCreateRelease(t, db, "web") // building
	w3 := mustCreateRelease(t, db, "web") // deploying
	w3.Status = engine.ReleaseDeploying
	require.NoError(t, db.UpdateRelease(ctx, w3))
	a1 := mustCreateRelease(t, db, "api") // building
	a2 := mustCreateRelease(t, db, "api") // failed already
	a2.Status, a2.Error = engine.ReleaseFailed, "earlier failure"
	require.NoError(t, db.UpdateRelease(ctx, a2))

	at := time.Date(2028, 5, 6, 7, 8, 9, 10, time.FixedZone("z", 7200))
	got, err := db.FailUnfinishedReleases(ctx, "Quayside restarted during the deploy", at)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"api", "web", "web"}, []string{got[0].App, got[1].App, got[2].App})
	assert.Equal(t, []int{a1.Number, w2.Number, w3.Number}, []int{got[0].Number, got[1].Number, got[2].Number})
	for _, r := range got {
		assert.Equal(t, engine.ReleaseFailed, r.Status)
		assert.Equal(t, "Quayside restarted during the deploy", r.Error)
		assert.Equal(t, at.UTC(), r.FinishedAt)
		stored, err := db.FindRelease(ctx, r.App, r.Number)
		require.NoError(t, err)
		assert.Equal(t, stored, r, "what it returns is what it stored")
	}
	assert.Equal(t, map[int]string{1: "active", 2: "failed", 3: "failed"}, statuses(t, db, "web"))
	stillA2, err := db.FindRelease(ctx, "api", a2.Number)
	require.NoError(t, err)
	assert.Equal(t, "earlier failure", stillA2.Error)

	again, err := db.FailUnfinishedReleases(ctx, "again", at)
	require.NoError(t, err)
	assert.NotNil(t, again)
	assert.Empty(t, again)
}
