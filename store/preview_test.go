package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestPreviews(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "shop--x")
	mustCreateApp(t, db, "shop--y")

	_, err := db.PreviewSettings(ctx, "shop")
	requireCode(t, err, engine.ENOTFOUND, "quayside previews enable shop")
	s := &engine.PreviewSettings{App: "shop", TTL: 90 * time.Second, Max: 3, AuthUser: "u", AuthHash: "h"}
	require.NoError(t, db.SetPreviewSettings(ctx, s))
	got, err := db.PreviewSettings(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, got.TTL)
	assert.Equal(t, "u", got.AuthUser)

	require.NoError(t, db.CreatePreview(ctx, &engine.Preview{Name: "shop--x", App: "shop", Branch: "feature/x"}))
	requireCode(t, db.CreatePreview(ctx, &engine.Preview{Name: "shop--y", App: "shop", Branch: "feature/x"}), engine.ECONFLICT)
	require.NoError(t, db.CreatePreview(ctx, &engine.Preview{Name: "shop--y", App: "shop", Branch: "y"}))
	later := time.Now().Add(time.Hour).UTC()
	require.NoError(t, db.TouchPreview(ctx, "shop--x", "abc", later))
	ps, err := db.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, "shop--y", ps[0].Name, "least recently pushed first")
	assert.Equal(t, "abc", ps[1].Commit)
	p, err := db.FindPreviewOf(ctx, "shop", "feature/x")
	require.NoError(t, err)
	assert.Equal(t, "shop--x", p.Name)
	_, err = db.FindPreview(ctx, "shop")
	requireCode(t, err, engine.ENOTFOUND)

	t.Run("the parent cannot go while it has previews", func(t *testing.T) {
		require.Error(t, db.DeleteApp(ctx, "shop"))
	})
	t.Run("a deleted preview app takes its row with it", func(t *testing.T) {
		require.NoError(t, db.DeleteApp(ctx, "shop--y"))
		ps, err := db.ListPreviews(ctx, "")
		require.NoError(t, err)
		assert.Len(t, ps, 1)
	})
	t.Run("previews of granted apps are visible", func(t *testing.T) {
		rawExec(t, db, `INSERT INTO users (email, role, created_at) VALUES ('bob@example.com', 'developer', 'x')`)
		require.NoError(t, db.GrantAccess(ctx, "shop", "bob@example.com"))
		apps, err := db.AppsOf(ctx, "bob@example.com")
		require.NoError(t, err)
		assert.Equal(t, []string{"shop", "shop--x"}, apps)
	})
}

func TestPreviewConfigRules(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")
	require.NoError(t, db.MarkProductionOnly(ctx, "shop", []string{"B", "A"}, true))
	require.NoError(t, db.MarkProductionOnly(ctx, "shop", []string{"A"}, true))
	keys, err := db.ProductionOnlyKeys(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B"}, keys)
	require.NoError(t, db.MarkProductionOnly(ctx, "shop", []string{"A"}, false))
	keys, _ = db.ProductionOnlyKeys(ctx, "shop")
	assert.Equal(t, []string{"B"}, keys)

	vars, err := db.PreviewVars(ctx, "shop")
	require.NoError(t, err)
	assert.Empty(t, vars)
	require.NoError(t, db.SetPreviewVars(ctx, "shop", map[string]string{"DEBUG": "secret-value"}))
	vars, err = db.PreviewVars(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "secret-value", vars["DEBUG"])

	var blob []byte
	require.NoError(t, db.sql.QueryRow(`SELECT vars FROM preview_vars`).Scan(&blob))
	assert.NotContains(t, string(blob), "secret-value", "encrypted at rest")
	// Moved to another app, the blob no longer opens.
	rawExec(t, db, `INSERT INTO preview_vars (app_id, vars) SELECT (SELECT id FROM apps WHERE name = 'blog'), vars FROM preview_vars`)
	_, err = db.PreviewVars(ctx, "blog")
	require.Error(t, err)
}
