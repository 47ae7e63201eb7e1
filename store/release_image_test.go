package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestPromotionRecordsItsOrigin(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "prod")
	r := &engine.Release{
		App: "prod", Kind: engine.KindPromote, Status: engine.ReleaseDeploying, Description: "Promote staging v3 (3f2a9c1)",
		Image: "sha256:abc", Commit: "3f2a9c1", PromotedFrom: "staging", PromotedRelease: 3,
	}
	require.NoError(t, db.CreateRelease(ctx, r))
	got, err := db.FindRelease(ctx, "prod", r.Number)
	require.NoError(t, err)
	assert.Equal(t, r, got, "kind promote and its origin read back")

	t.Run("only a promotion names an origin, and a promotion must", func(t *testing.T) {
		err := db.CreateRelease(ctx, &engine.Release{App: "prod", Kind: engine.KindDeploy, PromotedFrom: "staging", PromotedRelease: 1})
		requireCode(t, err, engine.EINVALID, "only a promotion")
		err = db.CreateRelease(ctx, &engine.Release{App: "prod", Kind: engine.KindPromote})
		requireCode(t, err, engine.EINVALID, "names the app and release")
		err = db.CreateRelease(ctx, &engine.Release{App: "prod", Kind: engine.KindPromote, PromotedFrom: "staging", PromotedRelease: -1})
		requireCode(t, err, engine.EINVALID)
	})
}

func TestReleasesUsingImage(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	for _, app := range []string{"b", "a"} {
		mustCreateApp(t, db, app)
		for _, img := range []string{"sha256:one", "qs/x:v2", "sha256:other"} {
			require.NoError(t, db.CreateRelease(ctx, &engine.Release{App: app, Image: img}))
		}
	}
	require.NoError(t, db.CreateRelease(ctx, &engine.Release{App: "a"})) // no image

	got, err := db.ReleasesUsingImage(ctx, []string{"sha256:one", "qs/x:v2", ""})
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.App+"/"+r.Image)
	}
	assert.Equal(t, []string{"a/qs/x:v2", "a/sha256:one", "b/qs/x:v2", "b/sha256:one"}, names, "every app, by name, newest first")

	none, err := db.ReleasesUsingImage(ctx, []string{""})
	require.NoError(t, err)
	assert.Empty(t, none, "an empty reference matches no release without an image")

	_, err = db.ReleasesUsingImage(ctx, strings.Split(strings.Repeat("x,", 101), ","))
	requireCode(t, err, engine.EINVALID)
}
