package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestEvents(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")
	for i, app := range []string{"shop", "blog", "shop"} {
		ev := &engine.Event{App: app, Kind: engine.EventDeployStarted, Release: i + 1, Message: "m", Actor: "ann"}
		require.NoError(t, db.AddEvent(ctx, ev))
		assert.NotZero(t, ev.ID)
		assert.False(t, ev.Time.IsZero())
	}
	evs, err := db.ListEvents(ctx, "shop", 0, 10)
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, 3, evs[0].Release, "newest first")
	page, err := db.ListEvents(ctx, "", evs[0].ID, 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, "blog", page[0].App)

	require.NoError(t, db.DeleteApp(ctx, "shop"))
	require.NoError(t, db.AddEvent(ctx, &engine.Event{App: "shop", Kind: engine.EventDestroyed, Message: "gone"}))
	evs, err = db.ListEvents(ctx, "shop", 0, 10)
	require.NoError(t, err)
	require.Len(t, evs, 1, "events of a deleted app go with it; the destroy event stays")
	assert.Equal(t, engine.EventDestroyed, evs[0].Kind)
}

func TestReleaseOutput(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	r := mustCreateRelease(t, db, "shop")
	out, err := db.ReleaseOutput(ctx, "shop", r.Number)
	require.NoError(t, err)
	assert.Empty(t, out)
	require.NoError(t, db.SaveReleaseOutput(ctx, "shop", r.Number, "step 1\nstep 2\n"))
	require.NoError(t, db.SaveReleaseOutput(ctx, "shop", r.Number, "again\n"))
	out, err = db.ReleaseOutput(ctx, "shop", r.Number)
	require.NoError(t, err)
	assert.Equal(t, "again\n", out)

	big := strings.Repeat("a", MaxReleaseOutputBytes) + strings.Repeat("z", 100)
	require.NoError(t, db.SaveReleaseOutput(ctx, "shop", r.Number, big))
	out, err = db.ReleaseOutput(ctx, "shop", r.Number)
	require.NoError(t, err)
	assert.Less(t, len(out), MaxReleaseOutputBytes+200)
	assert.True(t, strings.HasSuffix(out, "zzz"), "the end is kept")
	assert.Contains(t, out, "output cut")

	_, err = db.ReleaseOutput(ctx, "shop", 99)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}
