package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// withKeep returns an engine on r's store and runtime keeping keep releases,
// as after a restart with another --keep-releases.
func (r *janitorRig) withKeep(keep int) *engine.Engine {
	return engine.New(engine.Config{
		Store: r.db, Runtime: r.jr, Builder: r.pb, Router: r.router, Repos: r.repos, KeepReleases: keep,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
}

func gcNames(rep *engine.GCReport, kind string) []string {
	var out []string
	for _, it := range rep.Removed {
		if it.Kind == kind {
			out = append(out, it.Name)
		}
	}
	return out
}

func TestCollectGarbageImages(t *testing.T) {
	ctx := context.Background()
	t.Run("removes images beyond retention and of gone apps, keeps the newest", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		for _, c := range []string{"c1", "c2", "c3"} {
			r.mustPush("shop", c)
			r.jr.addImage(engine.StoredImage{ID: "id-" + c, Tags: []string{c}, App: "shop", Bytes: 100})
		}
		r.jr.addImage(engine.StoredImage{ID: "id-gone", Tags: []string{"qs/gone:v1"}, App: "gone", Bytes: 7})
		r.jr.addImage(engine.StoredImage{ID: "id-dangling", App: "shop", Bytes: 3})

		rep, err := r.withKeep(2).CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)

		assert.ElementsMatch(t, []string{"c1", "qs/gone:v1", "id-dangling"}, gcNames(rep, engine.GCImage))
		assert.ElementsMatch(t, []string{"id-c2", "id-c3"}, r.jr.imageIDs())
		assert.Equal(t, int64(110), rep.BytesFreed)
		assert.Empty(t, rep.Errors)
		for _, it := range rep.Removed {
			switch it.Name {
			case "c1":
				assert.Equal(t, "v1 is older than the newest 2 releases", it.Reason)
			case "qs/gone:v1":
				assert.Equal(t, "its app no longer exists", it.Reason)
			case "id-dangling":
				assert.Equal(t, "no release uses it", it.Reason)
			}
		}
		assert.Empty(t, r.release("shop", 1).Image, "v1 forgets its removed image: a rollback says so")
		assert.Equal(t, "c2", r.release("shop", 2).Image)
		assert.Equal(t, "c3", r.servingImage("shop"), "the app keeps serving")
	})
	t.Run("an image still in use stays and is not reported", func(t *testing.T) {
		r := newJanitorRig(t, 1)
		r.mustPush("shop", "c1")
		r.mustPush("shop", "c2")
		r.jr.addImage(engine.StoredImage{ID: "id-old", Tags: []string{"old"}, App: "shop", Bytes: 50})
		r.jr.inUse["id-old"] = true

		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.Empty(t, rep.Removed)
		assert.Zero(t, rep.BytesFreed)
		assert.Contains(t, r.jr.imageIDs(), "id-old")
	})
	t.Run("the active release keeps its image even beyond retention", func(t *testing.T) {
		r := newJanitorRig(t, 1)
		r.mustPush("shop", "c1")
		_, _, err := r.push("shop", "broken") // v2 fails: v1 stays active
		require.Error(t, err)
		r.jr.addImage(engine.StoredImage{ID: "id-c1", Tags: []string{"c1"}, App: "shop"})

		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.Empty(t, gcNames(rep, engine.GCImage))
		assert.Equal(t, "c1", r.servingImage("shop"))
	})
}

func TestCollectGarbageContainersAndCaches(t *testing.T) {
	ctx := context.Background()
	t.Run("stopped containers are removed after the policy's delay", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.jr.stopped = []engine.GCItem{{Kind: engine.GCContainer, App: "shop", Name: "qs-x-shop-web-1-v1-aa", Bytes: 42}}
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.Equal(t, []string{"qs-x-shop-web-1-v1-aa"}, gcNames(rep, engine.GCContainer))
		assert.Equal(t, int64(42), rep.BytesFreed)
		_, err = r.eng.CollectGarbage(ctx, engine.GCPolicy{StoppedFor: time.Minute})
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{engine.DefaultStoppedFor, time.Minute}, r.jr.asked)
	})
	t.Run("caches of gone apps go, then the least recently built until the budget holds", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("old", "o1")
		r.mustPush("mid", "m1")
		r.mustPush("new", "n1")
		r.jr.caches = []engine.BuildCache{
			{App: "new", Volumes: []string{"n-build"}, Bytes: 400},
			{App: "old", Volumes: []string{"o-build", "o-launch"}, Bytes: 300},
			{App: "mid", Volumes: []string{"m-build"}, Bytes: 300},
			{App: "gone", Volumes: []string{"g-build"}, Bytes: 5},
		}
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{BuildCacheBudget: 700})
		require.NoError(t, err)
		assert.Equal(t, []string{"gone", "old"}, r.jr.removedC)
		assert.Equal(t, []string{"g-build", "o-build, o-launch"}, gcNames(rep, engine.GCBuildCache))
		assert.Equal(t, int64(305), rep.BytesFreed)
	})
	t.Run("no budget keeps the caches of existing apps", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("shop", "c1")
		r.jr.caches = []engine.BuildCache{{App: "shop", Volumes: []string{"s"}, Bytes: 1 << 40}}
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.Empty(t, rep.Removed)
	})
	t.Run("a cache in use is reported and the rest goes on", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("a", "a1")
		r.mustPush("b", "b1")
		r.jr.caches = []engine.BuildCache{{App: "a", Bytes: 10}, {App: "b", Bytes: 10}}
		r.jr.inBuild["a"] = true
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{BuildCacheBudget: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"b"}, r.jr.removedC)
		require.Len(t, rep.Errors, 1)
		assert.Contains(t, rep.Errors[0], "in use by a running build")
	})
}

func TestCollectGarbageNeedsAJanitor(t *testing.T) {
	r := newRig(t)
	_, err := r.eng.CollectGarbage(context.Background(), engine.GCPolicy{})
	assert.Equal(t, engine.ENOTIMPLEMENTED, engine.ErrorCode(err))
}

func TestCollectGarbageEveryStopsWithContext(t *testing.T) {
	r := newJanitorRig(t, 5)
	r.jr.stopped = []engine.GCItem{{Kind: engine.GCContainer, Name: "x"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.eng.CollectGarbageEvery(ctx, 10*time.Millisecond, engine.GCPolicy{}); close(done) }()
	require.Eventually(t, func() bool {
		r.jr.mu.Lock()
		defer r.jr.mu.Unlock()
		return len(r.jr.asked) >= 2
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("CollectGarbageEvery did not return after its context ended")
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 3 << 20: "3.0 MiB"} {
		assert.Equal(t, want, engine.FormatBytes(n), "%d", n)
	}
}
