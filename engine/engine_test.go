package engine_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/store"
)

// rig is an engine on a real SQLite store with fake runtime, builder and router.
type rig struct {
	t       *testing.T
	eng     *engine.Engine
	db      *store.DB
	rt      *enginetest.Runtime
	router  *enginetest.Router
	builder *enginetest.Builder
	repos   *enginetest.Repos
}

func newRig(t *testing.T) *rig {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	r := &rig{t: t, db: db, rt: enginetest.NewRuntime(), router: enginetest.NewRouter(), builder: &enginetest.Builder{}, repos: &enginetest.Repos{}}
	r.eng = engine.New(engine.Config{
		Store: db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
	return r
}

// push deploys commit (which the fake builder uses as the image name).
func (r *rig) push(app, commit string) (*engine.Release, string, error) {
	r.t.Helper()
	require.NoError(r.t, r.eng.PreparePush(context.Background(), app, "alice"))
	var out bytes.Buffer
	rel, err := r.eng.Push(context.Background(), engine.PushRequest{
		App: app, Ref: "refs/heads/main", NewCommit: commit, Author: "alice",
		Source: enginetest.Source{}, Output: &out,
	})
	return rel, out.String(), err
}

func (r *rig) mustPush(app, commit string) *engine.Release {
	r.t.Helper()
	rel, out, err := r.push(app, commit)
	require.NoError(r.t, err, out)
	return rel
}

// backends returns the addresses app routes to.
func (r *rig) backends(app string) []string {
	rt, ok := r.router.Route(app)
	require.True(r.t, ok, "app %s has no route", app)
	return rt.Backends
}

// servingImage returns the image of the one container app routes to.
func (r *rig) servingImage(app string) string {
	r.t.Helper()
	b := r.backends(app)
	require.Len(r.t, b, 1)
	for _, c := range r.rt.Running(app) {
		if c.Addr == b[0] {
			return c.Image
		}
	}
	r.t.Fatalf("no container at %s", b[0])
	return ""
}

func (r *rig) release(app string, n int) *engine.Release {
	rel, err := r.db.FindRelease(context.Background(), app, n)
	require.NoError(r.t, err)
	return rel
}

func TestFirstPushCreatesAppAndServes(t *testing.T) {
	r := newRig(t)
	rel, out, err := r.push("shop", "img1")
	require.NoError(t, err)
	assert.Equal(t, 1, rel.Number)
	assert.Contains(t, out, "Released v1: http://shop.example.test")
	assert.Equal(t, "img1", r.servingImage("shop"))
	rt, _ := r.router.Route("shop")
	assert.Equal(t, []string{"shop.example.test"}, rt.Hosts)
	got := r.release("shop", 1)
	assert.Equal(t, engine.ReleaseActive, got.Status)
	assert.Equal(t, "alice", got.Author)
	assert.Equal(t, 8080, got.Port)
	assert.False(t, got.FinishedAt.IsZero())
	spec := r.rt.Started()[0]
	assert.Equal(t, "8080", spec.Env["PORT"])
}

func TestRedeployReplacesAndDrainsOld(t *testing.T) {
	r := newRig(t)
	r.mustPush("shop", "img1")
	oldAddr := r.backends("shop")[0]
	r.mustPush("shop", "img2")
	assert.Equal(t, "img2", r.servingImage("shop"))
	assert.Len(t, r.rt.Running("shop"), 1, "the old container is stopped")
	assert.Contains(t, r.router.Drained(), oldAddr)
	assert.Equal(t, engine.ReleaseRetired, r.release("shop", 1).Status)
	assert.Equal(t, engine.ReleaseActive, r.release("shop", 2).Status)
}

func TestFailedDeploysKeepTheOldReleaseServing(t *testing.T) {
	cases := map[string]string{
		"build fails":        "broken",
		"crashes on boot":    "crash",
		"never gets healthy": "unhealthy",
	}
	for name, commit := range cases {
		t.Run(name, func(t *testing.T) {
			r := newRig(t)
			require.NoError(t, r.eng.PreparePush(context.Background(), "shop", "alice"))
			_, err := r.eng.SetHealthCheck(context.Background(), "shop", engine.HealthCheck{Timeout: 500 * time.Millisecond})
			require.NoError(t, err)
			r.mustPush("shop", "img1")
			_, out, err := r.push("shop", commit)
			require.Error(t, err, out)
			assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), "v2 failed")
			assert.Equal(t, "img1", r.servingImage("shop"), "the old release still serves")
			assert.Len(t, r.rt.Running("shop"), 1, "the failed container is gone")
			failed := r.release("shop", 2)
			assert.Equal(t, engine.ReleaseFailed, failed.Status)
			assert.NotEmpty(t, failed.Error)
			app, _ := r.eng.FindApp(context.Background(), "shop")
			assert.Equal(t, 1, app.CurrentRelease)
		})
	}
}

func TestCrashReportIncludesAppOutput(t *testing.T) {
	r := newRig(t)
	_, _, err := r.push("shop", "crash")
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "exited while booting (exit code 3)")
	assert.Contains(t, engine.ErrorMessage(err), "boot log line")
	_, ok := r.router.Route("shop")
	assert.True(t, ok, "the app keeps its (empty) route, so it answers 503")
	assert.Empty(t, r.backends("shop"))
}

func TestPushToOtherBranchIsRefused(t *testing.T) {
	r := newRig(t)
	require.NoError(t, r.eng.PreparePush(context.Background(), "shop", "alice"))
	for _, ref := range []string{"refs/heads/dev", "refs/tags/v1"} {
		_, err := r.eng.Push(context.Background(), engine.PushRequest{App: "shop", Ref: ref, NewCommit: "img1", Source: enginetest.Source{}})
		require.Error(t, err)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	}
	_, err := r.eng.Push(context.Background(), engine.PushRequest{App: "shop", Ref: "refs/heads/dev", NewCommit: "img1", Source: enginetest.Source{}})
	assert.Contains(t, engine.ErrorMessage(err), `deploys from branch "main"`)
	rels, _ := r.eng.ListReleases(context.Background(), "shop", 0)
	assert.Empty(t, rels)
}

func TestConfigChangeIsANewRelease(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	rel, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"GREETING": "hi"}, Author: "bob"})
	require.NoError(t, err)
	assert.Equal(t, 2, rel.Number)
	assert.Equal(t, engine.KindConfig, rel.Kind)
	assert.Equal(t, "Set GREETING", rel.Description)
	assert.Equal(t, "img1", r.servingImage("shop"))
	spec := last(r.rt.Started())
	assert.Equal(t, "hi", spec.Env["GREETING"])
	cv, err := r.eng.Config(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"GREETING": "hi"}, cv.Vars)

	t.Run("unset of a missing key changes nothing", func(t *testing.T) {
		_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Unset: []string{"NOPE"}})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		rels, _ := r.eng.ListReleases(ctx, "shop", 0)
		assert.Len(t, rels, 2)
	})
	t.Run("bad keys are refused", func(t *testing.T) {
		for _, k := range []string{"PORT", "1X", "A-B", "QUAYSIDE_X", ""} {
			_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{k: "v"}})
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), k)
		}
	})
	t.Run("a config that breaks the app is not applied", func(t *testing.T) {
		before, _ := r.eng.Config(ctx, "shop")
		_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"CRASH": "1"}})
		require.Error(t, err)
		after, _ := r.eng.Config(ctx, "shop")
		assert.Equal(t, before.Version, after.Version)
		assert.Equal(t, map[string]string{"GREETING": "hi"}, after.Vars)
		assert.Equal(t, "img1", r.servingImage("shop"))
	})
}

func TestConfigBeforeFirstDeploy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.eng.CreateApp(ctx, "shop", "alice")
	require.NoError(t, err)
	rel, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1"}})
	require.NoError(t, err)
	assert.Nil(t, rel)
	r.mustPush("shop", "img1")
	assert.Equal(t, "1", r.rt.Started()[0].Env["A"])
}

func TestRollback(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"V": "2"}})
	require.NoError(t, err)    // v2: img1 with V=2
	r.mustPush("shop", "img3") // v3: img3 with V=2

	t.Run("default goes to the previous good release", func(t *testing.T) {
		rel, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", Author: "bob"})
		require.NoError(t, err)
		assert.Equal(t, 4, rel.Number)
		assert.Equal(t, 2, rel.RollbackOf)
		assert.Equal(t, "img1", r.servingImage("shop"))
		assert.Equal(t, "2", last(r.rt.Started()).Env["V"])
	})
	t.Run("to v1 restores v1's config too", func(t *testing.T) {
		rel, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 1})
		require.NoError(t, err)
		assert.Equal(t, "Rollback to v1", rel.Description)
		_, set := last(r.rt.Started()).Env["V"]
		assert.False(t, set)
		cv, _ := r.eng.Config(ctx, "shop")
		assert.Empty(t, cv.Vars)
	})
	t.Run("bad targets are refused", func(t *testing.T) {
		app, _ := r.eng.FindApp(ctx, "shop")
		_, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: app.CurrentRelease})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 99})
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		_, _, err = r.push("shop", "broken")
		require.Error(t, err)
		app, _ = r.eng.FindApp(ctx, "shop")
		_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: app.CurrentRelease + 1})
		assert.Contains(t, engine.ErrorMessage(err), "never served traffic")
	})
	t.Run("an app without releases cannot roll back", func(t *testing.T) {
		_, err := r.eng.CreateApp(ctx, "empty", "alice")
		require.NoError(t, err)
		_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "empty"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
}

func TestDestroyRemovesEverything(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	require.NoError(t, r.eng.Destroy(ctx, "shop"))
	_, ok := r.router.Route("shop")
	assert.False(t, ok)
	assert.Empty(t, r.rt.Running("shop"))
	assert.Equal(t, []string{"shop"}, r.repos.Removed())
	assert.Equal(t, []string{"shop"}, r.builder.Cleared(), "the build cache goes too")
	_, err := r.eng.FindApp(ctx, "shop")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

func TestDestroyCancelsADeployInProgress(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Gate = make(chan struct{})
	require.NoError(t, r.eng.PreparePush(ctx, "shop", "alice"))
	errc := make(chan error, 1)
	go func() {
		_, err := r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
		errc <- err
	}()
	waitUntil(t, func() bool { rels, _ := r.db.ListReleases(ctx, "shop", 0); return len(rels) == 1 })
	require.NoError(t, r.eng.Destroy(ctx, "shop"))
	require.Error(t, <-errc)
	assert.Empty(t, r.rt.Running("shop"))
}

func TestPushToAppBeingDestroyedIsRefused(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	app, _ := r.db.FindApp(ctx, "shop")
	app.State = engine.AppDestroying
	require.NoError(t, r.db.UpdateApp(ctx, app))
	err := r.eng.PreparePush(ctx, "shop", "alice")
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "being destroyed")
}

func TestDeploysOfOneAppAreSerialized(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Gate = make(chan struct{})
	require.NoError(t, r.eng.PreparePush(ctx, "shop", "alice"))
	var wg sync.WaitGroup
	outs := make([]*lockedWriter, 2)
	for i, commit := range []string{"imgA", "imgB"} {
		outs[i] = &lockedWriter{w: &bytes.Buffer{}}
		wg.Add(1)
		go func(commit string, out *lockedWriter) {
			defer wg.Done()
			_, err := r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: commit, Source: enginetest.Source{}, Output: out})
			assert.NoError(t, err)
		}(commit, outs[i])
	}
	// One push holds the build; the other says it waits, and then waits.
	waitUntil(t, func() bool { rels, _ := r.db.ListReleases(ctx, "shop", 0); return len(rels) == 1 })
	waitUntil(t, func() bool {
		return outs[0].has("Waiting for the change in progress on shop") || outs[1].has("Waiting for the change in progress on shop")
	})
	rels, _ := r.db.ListReleases(ctx, "shop", 0)
	assert.Len(t, rels, 1, "the second push waits for the first")
	r.builder.Gate <- struct{}{}
	r.builder.Gate <- struct{}{}
	wg.Wait()
	rels, _ = r.db.ListReleases(ctx, "shop", 0)
	assert.Len(t, rels, 2)
	assert.Len(t, r.rt.Running("shop"), 1)
}

func TestReconcileAfterCrash(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	r.mustPush("other", "img1")
	// A deploy was cut short: its release is "deploying" and its container runs.
	rel := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseDeploying, Image: "img2"}
	require.NoError(t, r.db.CreateRelease(ctx, rel))
	_, err := r.rt.Start(ctx, engine.ContainerSpec{App: "shop", Release: rel.Number, Process: "web", Image: "img2"})
	require.NoError(t, err)
	// A container of an app that no longer exists.
	_, err = r.rt.Start(ctx, engine.ContainerSpec{App: "ghost", Release: 1, Process: "web", Image: "x"})
	require.NoError(t, err)
	// The other app's container vanished.
	for _, c := range r.rt.Running("other") {
		require.NoError(t, r.rt.Stop(ctx, c.ID, 0))
	}
	// A fresh engine, as after a daemon restart.
	r.router = enginetest.NewRouter()
	eng := engine.New(engine.Config{Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond})
	require.NoError(t, eng.Reconcile(ctx))

	assert.Equal(t, engine.ReleaseFailed, r.release("shop", rel.Number).Status)
	assert.Contains(t, r.release("shop", rel.Number).Error, "interrupted")
	assert.Equal(t, "img1", r.servingImage("shop"))
	assert.Len(t, r.rt.Running("shop"), 1, "the interrupted deploy's container is removed")
	assert.Empty(t, r.rt.Running("ghost"))
	assert.Equal(t, "img1", r.servingImage("other"), "the missing container was started again")
}

func TestAppNames(t *testing.T) {
	good := []string{"a", "shop", "my-app-2", "a23456789012345678901234567890"}
	bad := []string{"", "A", "1app", "-app", "app-", "my_app", "my.app", "a/b", "..", "quayside", "www",
		"a234567890123456789012345678901", "app\n"}
	for _, n := range good {
		assert.NoError(t, engine.ValidateAppName(n, "example.com"), n)
	}
	for _, n := range bad {
		assert.Error(t, engine.ValidateAppName(n, "example.com"), n)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// has reports whether s has been written.
func (l *lockedWriter) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.w.Bytes(), []byte(s))
}

func last[T any](s []T) T { return s[len(s)-1] }
