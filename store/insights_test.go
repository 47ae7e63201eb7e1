package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestReleaseFactsCarryCommitsAndIncidents(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")
	r1 := &engine.Release{App: "shop", Commit: "c2"}
	require.NoError(t, db.CreateRelease(ctx, r1))
	r2 := &engine.Release{App: "blog"}
	require.NoError(t, db.CreateRelease(ctx, r2))

	when := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	cs := []engine.Commit{
		{SHA: "c2", Committed: when, Authored: when.Add(-time.Hour), Parents: 2},
		{SHA: "c1", Committed: when.Add(-time.Minute), Authored: when.Add(-time.Minute), Parents: 1},
	}
	require.NoError(t, db.SaveReleaseCommits(ctx, "shop", 1, cs[1:]))
	require.NoError(t, db.SaveReleaseCommits(ctx, "shop", 1, cs), "saving again replaces")
	require.NoError(t, db.AddReleaseIncident(ctx, "shop", 1, engine.IncidentCrashLoop, when.Add(time.Hour)))

	facts, err := db.ReleaseFacts(ctx, r1.CreatedAt)
	require.NoError(t, err)
	require.Len(t, facts, 2)
	for _, f := range facts {
		if f.Release.App != "shop" {
			assert.Empty(t, f.Commits)
			continue
		}
		assert.Equal(t, 1, f.Release.Number)
		assert.Equal(t, cs, f.Commits)
		assert.Equal(t, []engine.Incident{{Kind: engine.IncidentCrashLoop, At: when.Add(time.Hour)}}, f.Incidents)
	}
	later, err := db.ReleaseFacts(ctx, r2.CreatedAt)
	require.NoError(t, err)
	require.Len(t, later, 1, "releases created before since are left out")
}

func TestReleaseFactsErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	err := db.SaveReleaseCommits(ctx, "shop", 9, nil)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	err = db.AddReleaseIncident(ctx, "nope", 1, engine.IncidentCrashLoop, time.Now())
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	require.NoError(t, db.CreateRelease(ctx, &engine.Release{App: "shop"}))
	err = db.AddReleaseIncident(ctx, "shop", 1, "", time.Now())
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))

	many := make([]engine.Commit, engine.MaxPushCommits+10)
	for i := range many {
		many[i] = engine.Commit{SHA: "c" + string(rune('a'+i%26)), Committed: time.Now(), Authored: time.Now()}
	}
	require.NoError(t, db.SaveReleaseCommits(ctx, "shop", 1, many))
	facts, err := db.ReleaseFacts(ctx, time.Time{})
	require.NoError(t, err)
	assert.Len(t, facts[0].Commits, engine.MaxPushCommits, "a push records at most MaxPushCommits")
}
