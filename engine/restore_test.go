package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// fakeSources opens any commit except those in missing.
type fakeSources struct {
	mu      sync.Mutex
	opened  []string
	missing map[string]bool
}

func (s *fakeSources) OpenSource(_ context.Context, app, commit string) (engine.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened = append(s.opened, app+"@"+commit)
	if s.missing[commit] {
		return nil, engine.Errorf(engine.ENOTFOUND, "commit %s is not in the repository of %s", commit, app)
	}
	return enginetest.Source{}, nil
}

// wipeRuntime stops every container of app, as on a fresh server.
func (r *janitorRig) wipeRuntime(app string) {
	cs, err := r.jr.Containers(context.Background(), app)
	require.NoError(r.t, err)
	for _, c := range cs {
		require.NoError(r.t, r.jr.Stop(context.Background(), c.ID, 0))
	}
}

func TestRebuildMissing(t *testing.T) {
	ctx := context.Background()
	t.Run("rebuilds the current release from its commit and serves it", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("shop", "c1")
		r.mustPush("shop", "c2")
		_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1"}, Author: "bob"})
		require.NoError(t, err) // v3: config change on c2's image
		r.wipeRuntime("shop")
		r.pb.setPrefix("rebuilt-")

		require.NoError(t, r.eng.RebuildMissing(ctx, &fakeSources{}))

		assert.Equal(t, []string{"c2"}, r.pb.built(), "only the current release is rebuilt")
		assert.Equal(t, "rebuilt-c2", r.release("shop", 3).Image)
		assert.Equal(t, "rebuilt-c2", r.release("shop", 2).Image, "a release of the same commit takes the rebuilt image")
		assert.Empty(t, r.release("shop", 1).Image, "a release of another commit loses its missing image")
		assert.Equal(t, "rebuilt-c2", r.servingImage("shop"))
		evs, err := r.db.ListEvents(ctx, "shop", 0, 1)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		assert.Equal(t, engine.EventRebuilt, evs[0].Kind)
		assert.Contains(t, evs[0].Message, "rebuilt from commit c2")
	})
	t.Run("apps whose images are present are left alone", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("shop", "c1")
		r.jr.addImage(engine.StoredImage{ID: "sha256:1", Tags: []string{"c1"}, App: "shop"})
		r.pb.setPrefix("rebuilt-")
		require.NoError(t, r.eng.RebuildMissing(ctx, &fakeSources{}))
		assert.Empty(t, r.pb.built())
		assert.Equal(t, "c1", r.release("shop", 1).Image)
	})
	t.Run("a failing app is reported and the others are rebuilt", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		r.mustPush("lost", "gone-commit")
		r.mustPush("shop", "c1")
		r.wipeRuntime("lost")
		r.wipeRuntime("shop")
		r.pb.setPrefix("rebuilt-")
		src := &fakeSources{missing: map[string]bool{"gone-commit": true}}

		err := r.eng.RebuildMissing(ctx, src)
		require.Error(t, err)
		assert.Contains(t, engine.ErrorMessage(err), "gone-commit is not in the repository of lost")
		assert.Equal(t, "rebuilt-c1", r.servingImage("shop"))
		evs, err := r.db.ListEvents(ctx, "lost", 0, 1)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		assert.Equal(t, engine.EventDeployFailed, evs[0].Kind)
		assert.Contains(t, evs[0].Message, "could not be rebuilt")
	})
	t.Run("apps without a release need nothing", func(t *testing.T) {
		r := newJanitorRig(t, 5)
		require.NoError(t, r.eng.PreparePush(ctx, "empty", "alice"))
		src := &fakeSources{}
		require.NoError(t, r.eng.RebuildMissing(ctx, src))
		assert.Empty(t, src.opened)
	})
	t.Run("needs a runtime that lists images", func(t *testing.T) {
		r := newRig(t)
		err := r.eng.RebuildMissing(ctx, &fakeSources{})
		assert.Equal(t, engine.ENOTIMPLEMENTED, engine.ErrorCode(err))
	})
}
