package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestConfigVersionRuntimeOnly(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	cv := &engine.ConfigVersion{App: "web", Author: "alice",
		Vars:        map[string]string{"SECRET": "s", "TOKEN": "t", "PLAIN": "p"},
		RuntimeOnly: []string{"TOKEN", "SECRET", "TOKEN"}}
	require.NoError(t, db.CreateConfigVersion(ctx, cv))
	got, err := db.FindConfigVersion(ctx, "web", cv.Version)
	require.NoError(t, err)
	assert.Equal(t, []string{"SECRET", "TOKEN"}, got.RuntimeOnly, "sorted, once each")
	assert.Equal(t, map[string]string{"PLAIN": "p"}, got.BuildEnv())

	t.Run("a mark on a key that is not set is refused", func(t *testing.T) {
		bad := &engine.ConfigVersion{App: "web", Vars: map[string]string{"A": "1"}, RuntimeOnly: []string{"B"}}
		err := db.CreateConfigVersion(ctx, bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
}
