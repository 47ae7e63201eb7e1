package store

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := openAt(t, path)
	ctx := t.Context()

	v, ok, err := db.Setting(ctx, "instance_id")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)

	require.NoError(t, db.SetSetting(ctx, "instance_id", "abc"))
	require.NoError(t, db.SetSetting(ctx, "empty", ""))
	require.NoError(t, db.SetSetting(ctx, "instance_id", "def"))

	v, ok, err = db.Setting(ctx, "instance_id")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "def", v)
	v, ok, err = db.Setting(ctx, "empty")
	require.NoError(t, err)
	assert.True(t, ok, "an empty value is still set")
	assert.Empty(t, v)

	requireCode(t, db.SetSetting(ctx, "", "x"), engine.EINVALID)
}
