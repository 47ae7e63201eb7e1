package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestPlacementRoundTripPerAppInOrder(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")
	require.NoError(t, db.SetPlacement(ctx, "shop", []string{"node.labels.region==eu", "node.role!=manager"}))
	require.NoError(t, db.SetPlacement(ctx, "blog", []string{"node.hostname==n2"}))

	got, err := db.Placement(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, []string{"node.labels.region==eu", "node.role!=manager"}, got)

	require.NoError(t, db.SetPlacement(ctx, "shop", []string{"node.labels.disk==ssd"}), "a second set replaces the first")
	got, err = db.Placement(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, []string{"node.labels.disk==ssd"}, got)

	require.NoError(t, db.SetPlacement(ctx, "shop", nil), "an empty list clears")
	got, err = db.Placement(ctx, "shop")
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.NotNil(t, got, "none is an empty list, not null")

	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(db.SetPlacement(ctx, "nope", []string{"node.role==worker"})))
	require.NoError(t, db.DeleteApp(ctx, "blog"))
	assert.Zero(t, countRows(t, db, "app_placement", "constraint_text = ?", "node.hostname==n2"), "an app's placement goes with it")
}
