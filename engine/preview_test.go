package engine_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// pushRef pushes commit to ref of app, as the receive server does.
func (r *rig) pushRef(ctx context.Context, app, ref, commit string) (*engine.Release, string, error) {
	r.t.Helper()
	var out bytes.Buffer
	rel, err := r.eng.Push(ctx, engine.PushRequest{
		App: app, Ref: ref, NewCommit: commit, Author: "alice", Source: enginetest.Source{}, Output: &out,
	})
	return rel, out.String(), err
}

// lastEnv is the environment of the newest container started for app.
func (r *rig) lastEnv(app string) map[string]string {
	r.t.Helper()
	var env map[string]string
	for _, s := range r.rt.Started() {
		if s.App == app {
			env = s.Env
		}
	}
	require.NotNil(r.t, env, "no container of %s started", app)
	return env
}

func (r *rig) enablePreviews(app string, ttl time.Duration, max int) {
	r.t.Helper()
	_, err := r.eng.EnablePreviews(context.Background(), engine.PreviewsRequest{App: app, TTL: ttl, Max: max})
	require.NoError(r.t, err)
}

func TestPreviewPushDeploysAndUpdates(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	r.enablePreviews("shop", time.Hour, 3)

	rel, out, err := r.pushRef(ctx, "shop", "refs/heads/feature/login", "img-a")
	require.NoError(t, err, out)
	assert.Equal(t, "shop--feature-login", rel.App)
	assert.Contains(t, out, "Preview of branch feature/login: http://shop--feature-login.example.test")
	assert.Equal(t, "img-a", r.servingImage("shop--feature-login"))
	assert.Equal(t, "prod1", r.servingImage("shop"), "production is untouched")
	assert.Equal(t, int64(engine.DefaultPreviewMemory), r.running("shop--feature-login", "web")[0].Limits.MemoryBytes)

	before := r.backends("shop--feature-login")
	rel, out, err = r.pushRef(ctx, "shop", "refs/heads/feature/login", "img-b")
	require.NoError(t, err, out)
	assert.Equal(t, 2, rel.Number)
	assert.Equal(t, "img-b", r.servingImage("shop--feature-login"))
	assert.NotEqual(t, before, r.backends("shop--feature-login"))
	assert.Len(t, r.rt.Running("shop--feature-login"), 1, "web=1, the old container retired")

	ps, err := r.eng.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, "feature/login", ps[0].Branch)
	assert.Equal(t, "img-b", ps[0].Commit)
	assert.Equal(t, "http://shop--feature-login.example.test", ps[0].URL)
	assert.WithinDuration(t, ps[0].PushedAt.Add(time.Hour), ps[0].ExpiresAt, time.Second)

	_, _, err = r.pushRef(ctx, "shop--feature-login", "refs/heads/feature/login", "img-c")
	require.Error(t, err, "a preview's own repository takes no pushes")
	assert.Contains(t, engine.ErrorMessage(err), "push that branch to shop instead")
	require.Error(t, r.eng.PreparePush(ctx, "shop--feature-login", "alice"))
}

func TestPreviewsOffKeepTheOldRefusal(t *testing.T) {
	r := newRig(t)
	r.mustPush("shop", "prod1")
	_, _, err := r.pushRef(context.Background(), "shop", "refs/heads/dev", "img")
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), `deploys from branch "main"`)
	assert.Contains(t, engine.ErrorMessage(err), "quayside previews enable shop")
	apps, _ := r.db.ListApps(context.Background())
	assert.Len(t, apps, 1)
}

func TestPreviewConfig(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SHARED": "1"}})
	require.NoError(t, err)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"STRIPE_KEY": "sk_live"}, ProductionOnly: true})
	require.NoError(t, err)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"DEBUG": "1"}, Previews: true})
	require.NoError(t, err)
	assert.Equal(t, "sk_live", r.lastEnv("shop")["STRIPE_KEY"])
	assert.NotContains(t, r.lastEnv("shop"), "DEBUG", "preview config stays out of production")

	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/x", "img-a")
	require.NoError(t, err, out)
	env := r.lastEnv("shop--x")
	assert.NotContains(t, env, "STRIPE_KEY", "a preview never reads a production-only key")
	assert.Equal(t, "1", env["DEBUG"])
	assert.Equal(t, "1", env["SHARED"])

	// The preview's config is its own from then on.
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop--x", Set: map[string]string{"ONLY_HERE": "y"}})
	require.NoError(t, err)
	assert.Equal(t, "y", r.lastEnv("shop--x")["ONLY_HERE"])
	assert.NotContains(t, r.lastEnv("shop"), "ONLY_HERE")
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop--x", Set: map[string]string{"A": "1"}, Previews: true})
	require.Error(t, err, "preview flags belong to the parent")

	// A key marked production-only after the preview was made leaves it at its next push.
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SHARED": "1"}, ProductionOnly: true})
	require.NoError(t, err)
	_, out, err = r.pushRef(ctx, "shop", "refs/heads/x", "img-b")
	require.NoError(t, err, out)
	assert.NotContains(t, r.lastEnv("shop--x"), "SHARED")
	assert.Equal(t, "y", r.lastEnv("shop--x")["ONLY_HERE"])

	// Unsetting a key forgets its mark.
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Unset: []string{"STRIPE_KEY"}})
	require.NoError(t, err)
	_, keys, err := r.eng.PreviewConfig(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, []string{"SHARED"}, keys)
}

func TestPreviewMaxRefusesWithTheOldest(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	r.enablePreviews("shop", time.Hour, 2)
	for _, b := range []string{"one", "two"} {
		_, out, err := r.pushRef(ctx, "shop", "refs/heads/"+b, "img-"+b)
		require.NoError(t, err, out)
	}
	_, _, err := r.pushRef(ctx, "shop", "refs/heads/three", "img-3")
	require.Error(t, err)
	msg := engine.ErrorMessage(err)
	assert.Contains(t, msg, "has 2 previews, its maximum")
	assert.Contains(t, msg, "git push quayside --delete one")
	assert.Contains(t, msg, "quayside previews destroy shop one")
	assert.Less(t, strings.Index(msg, "  one"), strings.Index(msg, "  two"), "oldest first")
	_, err = r.db.FindApp(ctx, "shop--three")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	// A push to an existing preview is not a new one.
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/one", "img-1b")
	require.NoError(t, err, out)
}

func TestPreviewDestroyLeavesNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/feature/x", "img-a")
	require.NoError(t, err, out)

	require.Error(t, r.eng.DeleteBranch(ctx, "shop", "refs/heads/main"), "the deploy branch stays")
	require.NoError(t, r.eng.DeleteBranch(ctx, "shop", "refs/heads/feature/x"))
	_, ok := r.router.Route("shop--feature-x")
	assert.False(t, ok, "route removed")
	assert.Empty(t, r.rt.Running("shop--feature-x"))
	_, err = r.db.FindApp(ctx, "shop--feature-x")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	ps, _ := r.eng.ListPreviews(ctx, "")
	assert.Empty(t, ps)
	assert.Contains(t, r.eventKinds("shop"), engine.EventPreviewDestroyed)
	assert.Equal(t, "prod1", r.servingImage("shop"))
	require.NoError(t, r.eng.DeleteBranch(ctx, "shop", "refs/heads/never-pushed"), "no preview: nothing to do")

	// A new push of the branch makes a fresh preview.
	_, out, err = r.pushRef(ctx, "shop", "refs/heads/feature/x", "img-b")
	require.NoError(t, err, out)
	require.NoError(t, r.eng.DestroyPreview(ctx, "shop", "feature/x"))
	require.Error(t, r.eng.DestroyPreview(ctx, "shop", "feature/x"))

	// Destroying the app destroys its previews first.
	_, out, err = r.pushRef(ctx, "shop", "refs/heads/y", "img-y")
	require.NoError(t, err, out)
	require.NoError(t, r.eng.Destroy(ctx, "shop"))
	apps, _ := r.db.ListApps(ctx)
	assert.Empty(t, apps)
}

func TestPreviewFailedFirstPushLeavesNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	r.enablePreviews("shop", time.Hour, 1)
	_, _, err := r.pushRef(ctx, "shop", "refs/heads/x", "broken")
	require.Error(t, err)
	_, err = r.db.FindApp(ctx, "shop--x")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/y", "img")
	require.NoError(t, err, out, "the failed preview does not count against --max")
}

func TestPreviewTTLExpires(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	r.enablePreviews("shop", time.Second, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/x", "img")
	require.NoError(t, err, out)
	n, err := r.eng.ReapPreviews(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not idle yet")
	deadline := time.Now().Add(5 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n, err = r.eng.ReapPreviews(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, n)
	_, ok := r.router.Route("shop--x")
	assert.False(t, ok)
	assert.Contains(t, r.eventKinds("shop"), engine.EventPreviewExpired)
	assert.Equal(t, "prod1", r.servingImage("shop"))
}

func TestPreviewNamesNeverTakeAnAppsHost(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	// An app made before the "--" rule, with the name a preview would get.
	require.NoError(t, r.db.CreateApp(ctx, &engine.App{Name: "shop--login", CreatedBy: "old"}))
	r.enablePreviews("shop", time.Hour, 5)
	rel, out, err := r.pushRef(ctx, "shop", "refs/heads/login", "img-a")
	require.NoError(t, err, out)
	assert.NotEqual(t, "shop--login", rel.App)
	assert.True(t, strings.HasPrefix(rel.App, "shop--login-"), rel.App)
	// Two branches with the same slug get two previews.
	rel2, out, err := r.pushRef(ctx, "shop", "refs/heads/Login", "img-b")
	require.NoError(t, err, out)
	assert.NotEqual(t, rel.App, rel2.App)
	assert.Equal(t, "img-a", r.servingImage(rel.App))
	for _, bad := range []string{"refs/heads/a..b", "refs/heads/" + strings.Repeat("x", 256), "refs/heads/a b"} {
		_, _, err := r.pushRef(ctx, "shop", bad, "img")
		require.Error(t, err, bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	}
	rel3, out, err := r.pushRef(ctx, "shop", "refs/heads/日本語", "img-u")
	require.NoError(t, err, out)
	assert.Equal(t, "img-u", r.servingImage(rel3.App))
	_, err = r.eng.CreateApp(ctx, "new--app", "bob")
	require.Error(t, err, "new app names may not contain --")
	require.Error(t, r.eng.PreparePush(ctx, "new--app", "bob"), "nor can a first push make one")
	require.NoError(t, r.eng.PreparePush(ctx, "shop--login", "old"), "an older app with -- keeps taking pushes")
	_, err = r.eng.Scale(ctx, engine.ScaleRequest{App: rel.App, Change: engine.Scale{"web": 3}})
	require.Error(t, err, "previews run web=1")
	assert.Contains(t, engine.ErrorMessage(err), "at most one container")
}

func TestPreviewBuildsNeverSeeRuntimeOnlyKeys(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	yes := true
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "s3cret"}, RuntimeOnly: &yes})
	require.NoError(t, err)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"VISIBLE": "v"}})
	require.NoError(t, err)

	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/x", "img-a")
	require.NoError(t, err, out)
	assert.Equal(t, "s3cret", r.lastEnv("shop--x")["SECRET"], "the preview runs with the key")
	env := r.builder.BuildEnv("shop--x")
	assert.Equal(t, "v", env["VISIBLE"])
	assert.NotContains(t, env, "SECRET", "a branch's build never sees a key the app marks runtime-only")

	// Marking a key production-only rewrites the preview's config; the marks survive it.
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"VISIBLE": "v"}, ProductionOnly: true})
	require.NoError(t, err)
	_, out, err = r.pushRef(ctx, "shop", "refs/heads/x", "img-b")
	require.NoError(t, err, out)
	env = r.builder.BuildEnv("shop--x")
	assert.NotContains(t, env, "VISIBLE")
	assert.NotContains(t, env, "SECRET")
}

func TestPromoteAPreviewIntoProduction(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"STRIPE_KEY": "sk_live"}, ProductionOnly: true})
	require.NoError(t, err)
	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/feature/login", "img-login")
	require.NoError(t, err, out)

	rel, err := r.eng.Promote(ctx, engine.PromoteRequest{Source: "shop--feature-login", Target: "shop", Output: io.Discard})
	require.NoError(t, err)
	assert.Equal(t, "img-login", r.servingImage("shop"), "production serves the preview's image")
	assert.Equal(t, "sk_live", r.lastEnv("shop")["STRIPE_KEY"], "with production's own config")
	assert.Equal(t, "shop--feature-login", r.release("shop", rel.Number).PromotedFrom)

	// The branch goes away; production keeps serving and can roll back.
	require.NoError(t, r.eng.DestroyPreview(ctx, "shop", "feature/login"))
	assert.Equal(t, "img-login", r.servingImage("shop"))
	_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", Output: io.Discard})
	require.NoError(t, err)
	assert.Equal(t, "prod1", r.servingImage("shop"))
}

// A key the app marks runtime-only after a preview was made stays out of
// the preview's next build too, as it would had it been marked before.
func TestPreviewBuildsNeverSeeKeysMarkedRuntimeOnlyLater(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "prod1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "s3cret", "VISIBLE": "v"}})
	require.NoError(t, err)
	r.enablePreviews("shop", time.Hour, 3)
	_, out, err := r.pushRef(ctx, "shop", "refs/heads/x", "img-a")
	require.NoError(t, err, out)
	assert.Equal(t, "s3cret", r.builder.BuildEnv("shop--x")["SECRET"], "not marked yet")

	yes := true
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "s3cret"}, RuntimeOnly: &yes})
	require.NoError(t, err)
	_, out, err = r.pushRef(ctx, "shop", "refs/heads/x", "img-b")
	require.NoError(t, err, out)
	env := r.builder.BuildEnv("shop--x")
	assert.NotContains(t, env, "SECRET", "the branch's build no longer sees a key the app now marks runtime-only")
	assert.Equal(t, "v", env["VISIBLE"])
	assert.Equal(t, "s3cret", r.lastEnv("shop--x")["SECRET"], "the preview still runs with it")
}
