package engine_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/store"
)

// janitorRuntime is the fake runtime with a fake image and volume store:
// an engine.Janitor.
type janitorRuntime struct {
	*enginetest.Runtime

	mu       sync.Mutex
	images   []engine.StoredImage
	inUse    map[string]bool
	caches   []engine.BuildCache
	inBuild  map[string]bool
	stopped  []engine.GCItem
	asked    []time.Duration
	removedC []string
	kept     []string
}

var _ engine.Janitor = (*janitorRuntime)(nil)

func newJanitorRuntime() *janitorRuntime {
	return &janitorRuntime{Runtime: enginetest.NewRuntime(), inUse: map[string]bool{}, inBuild: map[string]bool{}}
}

func (j *janitorRuntime) Images(context.Context) ([]engine.StoredImage, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.images), nil
}

// RemoveImage removes the image ref names (ID or tag) unless it is in use.
func (j *janitorRuntime) RemoveImage(ctx context.Context, ref string) error {
	_ = j.Runtime.RemoveImage(ctx, ref)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.images = slices.DeleteFunc(j.images, func(i engine.StoredImage) bool {
		return (i.ID == ref || slices.Contains(i.Tags, ref)) && !j.inUse[i.ID]
	})
	return nil
}

func (j *janitorRuntime) RemoveStoppedContainers(_ context.Context, d time.Duration) ([]engine.GCItem, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.asked = append(j.asked, d)
	out := j.stopped
	j.stopped = nil
	return out, nil
}

func (j *janitorRuntime) BuildCaches(context.Context) ([]engine.BuildCache, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.caches), nil
}

func (j *janitorRuntime) RemoveBuildCache(_ context.Context, app string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.inBuild[app] {
		return engine.Errorf(engine.ECONFLICT, "the build cache of %s is in use by a running build: it stays", app)
	}
	j.removedC = append(j.removedC, app)
	j.caches = slices.DeleteFunc(j.caches, func(c engine.BuildCache) bool { return c.App == app })
	return nil
}

func (j *janitorRuntime) addImage(img engine.StoredImage) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.images = append(j.images, img)
}

func (j *janitorRuntime) imageIDs() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var ids []string
	for _, i := range j.images {
		ids = append(ids, i.ID)
	}
	return ids
}

// prefixBuilder is the fake builder whose images can be told apart from
// the ones it made before: with prefix set, Ref is prefix + commit.
type prefixBuilder struct {
	enginetest.Builder
	mu      sync.Mutex
	prefix  string
	commits []string
}

func (b *prefixBuilder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	img, err := b.Builder.Build(ctx, req)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commits = append(b.commits, req.Commit)
	if err == nil {
		img.Ref = b.prefix + img.Ref
	}
	return img, err
}

func (b *prefixBuilder) setPrefix(p string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prefix = p
	b.commits = nil
}

func (b *prefixBuilder) built() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.commits)
}

// janitorRig is a rig whose runtime is a janitorRuntime.
type janitorRig struct {
	*rig
	jr *janitorRuntime
	pb *prefixBuilder
}

func newJanitorRig(t *testing.T, keep int) *janitorRig {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	jr, pb := newJanitorRuntime(), &prefixBuilder{}
	r := &rig{t: t, db: db, rt: jr.Runtime, router: enginetest.NewRouter(), builder: &pb.Builder, repos: &enginetest.Repos{}}
	r.eng = engine.New(engine.Config{
		Store: db, Runtime: jr, Builder: pb, Router: r.router, Repos: r.repos, KeepReleases: keep,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
	})
	return &janitorRig{rig: r, jr: jr, pb: pb}
}
