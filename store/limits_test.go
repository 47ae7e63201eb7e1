package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestProcessLimitsRoundTripPerAppAndType(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")
	web := engine.Limits{MemoryBytes: 256 << 20, NanoCPUs: 5e8, Pids: 100}
	require.NoError(t, db.SetProcessLimits(ctx, "shop", "web", web))
	require.NoError(t, db.SetProcessLimits(ctx, "shop", "worker", engine.Limits{Pids: 64}))
	require.NoError(t, db.SetProcessLimits(ctx, "blog", "web", engine.Limits{MemoryBytes: 1 << 30}))

	got, err := db.ProcessLimits(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, engine.ProcessLimits{"web": web, "worker": {Pids: 64}}, got)

	web.Pids = 0
	require.NoError(t, db.SetProcessLimits(ctx, "shop", "web", web), "a second set replaces the first")
	require.NoError(t, db.SetProcessLimits(ctx, "shop", "worker", engine.Limits{}), "zero limits are forgotten")
	got, err = db.ProcessLimits(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, engine.ProcessLimits{"web": web}, got)

	none, err := db.ProcessLimits(ctx, "nope")
	require.NoError(t, err)
	assert.Empty(t, none)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(db.SetProcessLimits(ctx, "nope", "web", web)))
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(db.SetProcessLimits(ctx, "shop", "web", engine.Limits{Pids: -1})))

	require.NoError(t, db.DeleteApp(ctx, "blog"))
	assert.Zero(t, countRows(t, db, "process_limits", "memory_bytes = ?", 1<<30), "an app's limits go with it")
}
