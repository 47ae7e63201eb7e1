package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func addTestJob(t *testing.T, db *DB, app, name string, next time.Time) *engine.CronJob {
	t.Helper()
	j := &engine.CronJob{App: app, Name: name, Schedule: "* * * * *", Command: []string{"x", "it's \"odd\""},
		Timeout: time.Hour, Overlap: engine.CronOverlapSkip, Source: engine.CronSourceManual, NextRun: next}
	require.NoError(t, db.AddCronJob(t.Context(), j))
	return j
}

func TestCronSlotIsClaimedOnce(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "shop")
	slot := time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)
	j := addTestJob(t, db, "shop", "tick", slot)
	got, err := db.FindCronJob(t.Context(), "shop", "tick")
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "it's \"odd\""}, got.Command)

	run := &engine.CronRun{Trigger: "schedule", Status: engine.CronRunning, StartedAt: slot}
	require.NoError(t, db.ClaimCronSlot(t.Context(), j.ID, slot, slot.Add(time.Minute), run))
	again := &engine.CronRun{Trigger: "schedule", Status: engine.CronRunning, StartedAt: slot}
	requireCode(t, db.ClaimCronSlot(t.Context(), j.ID, slot, slot.Add(time.Minute), again), engine.ECONFLICT)

	require.NoError(t, db.SetCronPaused(t.Context(), "shop", "tick", true, time.Time{}))
	next := slot.Add(time.Minute)
	requireCode(t, db.ClaimCronSlot(t.Context(), j.ID, next, next.Add(time.Minute), again), engine.ECONFLICT)

	runs, err := db.ListCronRuns(t.Context(), "shop", "tick", 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, slot, runs[0].Slot)

	n, err := db.InterruptCronRuns(t.Context(), slot.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	runs, _ = db.ListCronRuns(t.Context(), "shop", "", 10)
	assert.Equal(t, engine.CronInterrupted, runs[0].Status)
}

func TestCronHistoryIsTrimmed(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "shop")
	j := addTestJob(t, db, "shop", "tick", time.Time{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range engine.MaxCronHistory + 30 {
		run := &engine.CronRun{Trigger: "manual by x", Status: engine.CronSucceeded, StartedAt: start.Add(time.Duration(i) * time.Minute)}
		require.NoError(t, db.AddCronRun(t.Context(), j.ID, run))
	}
	runs, err := db.ListCronRuns(t.Context(), "shop", "tick", 1000)
	require.NoError(t, err)
	assert.Len(t, runs, engine.MaxCronHistory)
	assert.Equal(t, start.Add(time.Duration(engine.MaxCronHistory+29)*time.Minute), runs[0].StartedAt, "the newest are kept")
}

func TestCronAppJSONReplaceKeepsHandAddedJobs(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "shop")
	addTestJob(t, db, "shop", "by-hand", time.Time{})
	file := func(names ...string) []*engine.CronJob {
		var out []*engine.CronJob
		for _, n := range names {
			out = append(out, &engine.CronJob{App: "shop", Name: n, Schedule: "@daily", Command: []string{"x"},
				Timeout: time.Hour, Overlap: engine.CronOverlapSkip, Source: engine.CronSourceAppJSON})
		}
		return out
	}
	require.NoError(t, db.ReplaceAppJSONCronJobs(t.Context(), "shop", file("a", "b")))
	require.NoError(t, db.ReplaceAppJSONCronJobs(t.Context(), "shop", file("b", "c")))
	jobs, err := db.ListCronJobs(t.Context(), "shop")
	require.NoError(t, err)
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	assert.Equal(t, []string{"b", "by-hand", "c"}, names)
	requireCode(t, db.ReplaceAppJSONCronJobs(t.Context(), "shop", file("by-hand")), engine.ECONFLICT)
	requireCode(t, db.RemoveCronJob(t.Context(), "shop", "nope"), engine.ENOTFOUND)
	requireCode(t, db.AddCronJob(t.Context(), &engine.CronJob{App: "nope", Name: "a", Schedule: "@daily", Command: []string{"x"},
		Timeout: time.Hour, Overlap: "skip", Source: "manual"}), engine.ENOTFOUND)
	require.NoError(t, db.DeleteApp(t.Context(), "shop"))
	all, err := db.ListCronJobs(t.Context(), "")
	require.NoError(t, err)
	assert.Empty(t, all, "an app's jobs go with it")
}
