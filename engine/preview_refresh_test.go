package engine_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// previewWithSecret deploys shop with SECRET and TOKEN, a preview of
// branch x that holds both (they were ordinary keys when it was made) and
// a value of its own, then marks SECRET production-only.
func previewWithSecret(t *testing.T, r *rig) {
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "sk_live", "TOKEN": "t0"}})
	require.NoError(t, err)
	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/x", "img-a")
	require.NoError(t, err, out)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop--x", Set: map[string]string{"OWN": "mine"}})
	require.NoError(t, err)
	require.Equal(t, "sk_live", r.lastEnv("shop--x")["SECRET"])

	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "sk_live"}, ProductionOnly: true})
	require.NoError(t, err)
}

// TestPreviewRedeployDropsKeysMarkedProductionOnlyLater performs the
// attack: a production secret marked production-only after a preview was
// made must not survive a redeploy of the preview.
func TestPreviewRedeployDropsKeysMarkedProductionOnlyLater(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	previewWithSecret(t, r)

	var out bytes.Buffer
	rel, err := r.eng.Redeploy(ctx, engine.RedeployRequest{App: "shop--x", Output: &out})
	require.NoError(t, err, out.String())
	env := r.lastEnv("shop--x")
	assert.NotContains(t, env, "SECRET", "the production-only key left the preview")
	assert.Equal(t, "mine", env["OWN"], "the preview's own config stays")
	assert.Equal(t, "t0", env["TOKEN"])
	assert.Contains(t, out.String(), "Config of preview shop--x recomputed from shop's")
	cfg, err := r.eng.Config(ctx, "shop--x")
	require.NoError(t, err)
	assert.Equal(t, rel.ConfigVersion, cfg.Version, "the recomputed config is the preview's config now")
	assert.NotContains(t, cfg.Vars, "SECRET")
	assert.Equal(t, "sk_live", r.lastEnv("shop")["SECRET"], "production keeps it")

	t.Run("a second redeploy changes nothing more", func(t *testing.T) {
		var out bytes.Buffer
		next, err := r.eng.Redeploy(ctx, engine.RedeployRequest{App: "shop--x", Output: &out})
		require.NoError(t, err)
		assert.Equal(t, rel.ConfigVersion, next.ConfigVersion)
		assert.NotContains(t, out.String(), "recomputed")
	})
	t.Run("production redeploys its own config", func(t *testing.T) {
		app, err := r.eng.FindApp(ctx, "shop")
		require.NoError(t, err)
		before := r.release("shop", app.CurrentRelease)
		next, err := r.eng.Redeploy(ctx, engine.RedeployRequest{App: "shop"})
		require.NoError(t, err)
		assert.Equal(t, before.ConfigVersion, next.ConfigVersion)
		assert.Equal(t, "sk_live", r.lastEnv("shop")["SECRET"])
	})
}

// TestPreviewRestartDropsKeysMarkedProductionOnlyLater performs the same
// attack through a restart, which otherwise keeps the release's config.
func TestPreviewRestartDropsKeysMarkedProductionOnlyLater(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	previewWithSecret(t, r)
	app, err := r.eng.FindApp(ctx, "shop--x")
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, r.eng.Restart(ctx, engine.RestartRequest{App: "shop--x", Process: "web", Output: &out}), out.String())
	assert.NotContains(t, r.lastEnv("shop--x"), "SECRET")
	assert.Equal(t, "mine", r.lastEnv("shop--x")["OWN"])
	assert.Contains(t, out.String(), "deployed again with it rather than restarted")
	after, err := r.eng.FindApp(ctx, "shop--x")
	require.NoError(t, err)
	assert.Equal(t, app.CurrentRelease+1, after.CurrentRelease, "a changed config needs a release")
	assert.Len(t, r.rt.Running("shop--x"), 1)

	t.Run("an unchanged config is a plain restart", func(t *testing.T) {
		before := r.ids("shop--x", "web")
		require.NoError(t, r.eng.Restart(ctx, engine.RestartRequest{App: "shop--x", Process: "web"}))
		again, err := r.eng.FindApp(ctx, "shop--x")
		require.NoError(t, err)
		assert.Equal(t, after.CurrentRelease, again.CurrentRelease, "no release")
		assert.NotEqual(t, before, r.ids("shop--x", "web"))
	})
	t.Run("an unknown type is refused before any config changes", func(t *testing.T) {
		_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"TOKEN": "t0"}, ProductionOnly: true})
		require.NoError(t, err)
		err = r.eng.Restart(ctx, engine.RestartRequest{App: "shop--x", Process: "nope"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Equal(t, "t0", r.lastEnv("shop--x")["TOKEN"], "nothing was deployed")
	})
}
