package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestScaleBuilderAndReleaseTimeoutRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	app := &engine.App{Name: "shop", Scale: engine.Scale{"web": 2}, Builder: "b:1",
		Health: engine.HealthCheck{ReleaseTimeout: 90 * time.Second}}
	require.NoError(t, db.CreateApp(ctx, app))
	got, err := db.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, engine.Scale{"web": 2}, got.Scale)
	assert.Equal(t, "b:1", got.Builder)
	assert.Equal(t, 90*time.Second, got.Health.ReleaseTimeout)

	got.Scale, got.Builder = engine.Scale{"web": 0, "worker": 3}, ""
	require.NoError(t, db.UpdateApp(ctx, got))
	again, err := db.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, engine.Scale{"web": 0, "worker": 3}, again.Scale)
	assert.Empty(t, again.Builder)

	plain := mustCreateApp(t, db, "plain")
	got, err = db.FindApp(ctx, plain.Name)
	require.NoError(t, err)
	assert.Nil(t, got.Scale, "an app never scaled has no scale of its own")
}

func TestReleaseProcessesRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	procs := []engine.Process{
		{Type: "web", Entrypoint: []string{"/cnb/process/web"}},
		{Type: "worker", Cmd: []string{"/bin/sh", "-c", "run worker"}},
		{Type: "release"},
	}
	r := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseBuilding, Processes: procs}
	require.NoError(t, db.CreateRelease(ctx, r))
	got, err := db.FindRelease(ctx, "shop", r.Number)
	require.NoError(t, err)
	assert.Equal(t, procs, got.Processes)

	r.Processes = procs[:1]
	require.NoError(t, db.UpdateRelease(ctx, r))
	got, err = db.FindRelease(ctx, "shop", r.Number)
	require.NoError(t, err)
	assert.Equal(t, procs[:1], got.Processes)

	r2 := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseBuilding}
	require.NoError(t, db.CreateRelease(ctx, r2))
	got, err = db.FindRelease(ctx, "shop", r2.Number)
	require.NoError(t, err)
	assert.Nil(t, got.Processes)
}
