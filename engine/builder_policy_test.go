package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

func TestBuilderPolicyAllows(t *testing.T) {
	p := engine.BuilderPolicy{
		Defaults: []string{"heroku/builder:24", "quayside/builder:offline"},
		Allowed:  []string{"paketobuildpacks/builder-jammy-base:0.4", "acme/*"},
	}
	for image, want := range map[string]bool{
		"":                         true,
		"heroku/builder:24":        true,
		"quayside/builder:offline": true,
		"paketobuildpacks/builder-jammy-base:0.4": true,
		"acme/builder:1":                          true,
		"acme/ruby/builder:2":                     true,
		"paketobuildpacks/builder-jammy-base:0.5": false,
		"heroku/builder:22":                       false,
		"acmeevil/builder:1":                      false,
		"acme":                                    false,
		"evil/builder:1":                          false,
	} {
		assert.Equal(t, want, p.Allows(image), image)
	}
	assert.False(t, engine.BuilderPolicy{}.Allows("quayside/builder:offline"), "the zero policy allows only the default")
}

func TestValidateAllowedBuilder(t *testing.T) {
	for _, ok := range []string{"acme/builder:1", "acme/*", "registry.example.com:5000/team/*", "heroku/builder"} {
		assert.NoError(t, engine.ValidateAllowedBuilder(ok), ok)
	}
	for _, bad := range []string{"*", "acme*", "acme/builder:*", "/*", "Acme/*", "acme/builder:1/*", ""} {
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(engine.ValidateAllowedBuilder(bad)), bad)
	}
}

// TestDevelopersCannotChooseAnyBuilder performs the attack: a developer sets
// their app's builder to an image of their choosing, whose code would run
// with the server's Docker daemon. The engine refuses it (and records the
// refusal); admins and allow-listed images pass.
func TestDevelopersCannotChooseAnyBuilder(t *testing.T) {
	r, acc := accessRig(t)
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", Access: acc,
		Builders: engine.BuilderPolicy{
			Defaults: []string{"heroku/builder:24", "quayside/builder:offline"},
			Allowed:  []string{"acme/*"},
		},
	})
	ann, ada, vic := as("ann@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin), as("vic@x.io", engine.RoleViewer)
	require.NoError(t, r.eng.PreparePush(ann, "shop", "ignored"))

	t.Run("a developer's arbitrary builder is refused", func(t *testing.T) {
		_, err := r.eng.SetBuilder(ann, "shop", "evil/builder:1")
		require.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "Only an admin may build shop with the builder evil/builder:1")
		assert.Contains(t, msg, "--allowed-builders evil/builder:1")
		app, err := r.eng.FindApp(ann, "shop")
		require.NoError(t, err)
		assert.Empty(t, app.Builder, "the builder is unchanged")
	})
	t.Run("the refusal is audited", func(t *testing.T) {
		entries, err := acc.ListAudit(context.Background(), engine.AuditQuery{App: "shop"})
		require.NoError(t, err)
		var found bool
		for _, e := range entries {
			if e.Action == engine.AuditBuilderDenied {
				found = true
				assert.Equal(t, "ann@x.io", e.Actor)
				assert.False(t, e.Success)
				assert.Contains(t, e.Detail, "evil/builder:1")
			}
		}
		assert.True(t, found, "no %s entry in %v", engine.AuditBuilderDenied, entries)
	})
	t.Run("a developer may choose the server's and allowed builders", func(t *testing.T) {
		for _, img := range []string{"quayside/builder:offline", "heroku/builder:24", "acme/builder:2"} {
			app, err := r.eng.SetBuilder(ann, "shop", img)
			require.NoError(t, err, img)
			assert.Equal(t, img, app.Builder)
		}
	})
	t.Run("an admin may choose any builder", func(t *testing.T) {
		app, err := r.eng.SetBuilder(ada, "shop", "evil/builder:1")
		require.NoError(t, err)
		assert.Equal(t, "evil/builder:1", app.Builder)
	})
	t.Run("a developer may always return to the default", func(t *testing.T) {
		app, err := r.eng.SetBuilder(ann, "shop", "")
		require.NoError(t, err)
		assert.Empty(t, app.Builder)
	})
	t.Run("a viewer is refused before the builder is judged", func(t *testing.T) {
		require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))
		_, err := r.eng.SetBuilder(vic, "shop", "quayside/builder:offline")
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.NotContains(t, engine.ErrorMessage(err), "Only an admin may build")
	})
}
