package cnb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeImages is an imageStore with images present and pulls that work for
// pullable, fail with pullErr otherwise, or block until their context ends
// when hang is set.
type fakeImages struct {
	mu       sync.Mutex
	present  map[string]bool
	pullable map[string]bool
	pullErr  error
	hang     bool
	down     bool // the daemon is down
	pulls    []string
	checks   int
}

func newFakeImages(present ...string) *fakeImages {
	f := &fakeImages{present: map[string]bool{}, pullable: map[string]bool{},
		pullErr: errors.New(`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`)}
	for _, p := range present {
		f.present[p] = true
	}
	return f
}

var errDown = engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Docker daemon")

func (f *fakeImages) Exists(ctx context.Context, ref string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks++
	if f.down {
		return false, errDown
	}
	return f.present[ref], nil
}

func (f *fakeImages) Pull(ctx context.Context, ref string) error {
	f.mu.Lock()
	f.pulls = append(f.pulls, ref)
	hang, ok, down := f.hang, f.pullable[ref], f.down
	f.mu.Unlock()
	switch {
	case down:
		return errDown
	case hang:
		<-ctx.Done()
		return ctx.Err()
	case !ok:
		return f.pullErr
	}
	f.mu.Lock()
	f.present[ref] = true
	f.mu.Unlock()
	return nil
}

// newFakeBuilder returns a Builder whose daemon images are f.
func newFakeBuilder(cfg Config, f *fakeImages) *Builder {
	b := New(cfg)
	b.images = f
	return b
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name       string
		configured string
		present    []string
		pullable   []string
		hang       bool
		want       string
		howHas     []string
		pulls      []string
		code       string
		msgHas     []string
	}{
		{
			name: "public builder present", present: []string{PublicBuilder, OfflineBuilder},
			want: PublicBuilder, howHas: []string{"public builder " + PublicBuilder},
		},
		{
			name: "public builder pulled", present: []string{OfflineBuilder}, pullable: []string{PublicBuilder},
			want: PublicBuilder, howHas: []string{"just pulled"}, pulls: []string{PublicBuilder},
		},
		{
			name: "offline builder when the public one cannot be pulled", present: []string{OfflineBuilder},
			want: OfflineBuilder, pulls: []string{PublicBuilder},
			howHas: []string{"the offline builder " + OfflineBuilder + " because " + PublicBuilder + " cannot be pulled", "cannot be reached"},
		},
		{
			name: "offline builder when the pull times out", present: []string{OfflineBuilder}, hang: true,
			want: OfflineBuilder, howHas: []string{"no answer from its registry within 50ms"},
		},
		{
			name: "no builder at all", code: engine.EUNAVAILABLE, pulls: []string{PublicBuilder},
			msgHas: []string{"No buildpacks builder is available", PublicBuilder + " could not be pulled (its registry cannot be reached",
				"make builder", "--builder IMAGE", OfflineBuilder},
		},
		{
			name: "configured builder present", configured: "example/builder:1", present: []string{"example/builder:1", PublicBuilder},
			want: "example/builder:1", howHas: []string{"the configured builder example/builder:1"},
		},
		{
			name: "configured builder pulled", configured: "example/builder:1", pullable: []string{"example/builder:1"},
			want: "example/builder:1", pulls: []string{"example/builder:1"},
		},
		{
			name: "configured builder missing: no fallback", configured: "example/builder:1", present: []string{PublicBuilder, OfflineBuilder},
			code: engine.EUNAVAILABLE, pulls: []string{"example/builder:1"},
			msgHas: []string{"example/builder:1 (the configured builder) is not in the Docker daemon and could not be pulled", "make builder"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeImages(tt.present...)
			for _, p := range tt.pullable {
				f.pullable[p] = true
			}
			f.hang = tt.hang
			b := newFakeBuilder(Config{DefaultBuilder: tt.configured, PullTimeout: 50 * time.Millisecond}, f)
			img, how, err := b.Resolve(context.Background())
			if tt.code != "" {
				require.Error(t, err)
				assert.Equal(t, tt.code, engine.ErrorCode(err))
				for _, s := range tt.msgHas {
					assert.Contains(t, engine.ErrorMessage(err), s)
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want, img)
				for _, s := range tt.howHas {
					assert.Contains(t, how, s)
				}
			}
			if tt.pulls != nil {
				assert.Equal(t, tt.pulls, f.pulls)
			}
		})
	}
}

func TestResolveCaches(t *testing.T) {
	ctx := context.Background()
	f := newFakeImages(OfflineBuilder)
	b := newFakeBuilder(Config{}, f)

	t.Run("a success is remembered", func(t *testing.T) {
		for range 3 {
			img, _, err := b.Resolve(ctx)
			require.NoError(t, err)
			assert.Equal(t, OfflineBuilder, img)
		}
		assert.Equal(t, []string{PublicBuilder}, f.pulls, "the public builder is tried once")
	})
	t.Run("until its image goes", func(t *testing.T) {
		f.mu.Lock()
		delete(f.present, OfflineBuilder)
		f.mu.Unlock()
		_, _, err := b.Resolve(ctx)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	})
	t.Run("a failure is not remembered", func(t *testing.T) {
		f.mu.Lock()
		f.present[OfflineBuilder] = true
		f.mu.Unlock()
		img, _, err := b.Resolve(ctx)
		require.NoError(t, err)
		assert.Equal(t, OfflineBuilder, img)
	})
}

func TestResolveDaemonDown(t *testing.T) {
	f := newFakeImages()
	f.down = true
	b := newFakeBuilder(Config{}, f)
	_, _, err := b.Resolve(context.Background())
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "Docker daemon")
}

func TestBuilderFor(t *testing.T) {
	ctx := context.Background()
	t.Run("the app's builder wins", func(t *testing.T) {
		f := newFakeImages(PublicBuilder, "example/app-builder:2")
		b := newFakeBuilder(Config{}, f)
		img, how, err := b.builderFor(ctx, "example/app-builder:2")
		require.NoError(t, err)
		assert.Equal(t, "example/app-builder:2", img)
		assert.Contains(t, how, "the app's builder")
	})
	t.Run("the app's builder is pulled when missing", func(t *testing.T) {
		f := newFakeImages(PublicBuilder)
		f.pullable["example/app-builder:2"] = true
		b := newFakeBuilder(Config{}, f)
		img, _, err := b.builderFor(ctx, "example/app-builder:2")
		require.NoError(t, err)
		assert.Equal(t, "example/app-builder:2", img)
		assert.Equal(t, []string{"example/app-builder:2"}, f.pulls)
	})
	t.Run("a missing app's builder is a clear error naming it", func(t *testing.T) {
		f := newFakeImages(PublicBuilder, OfflineBuilder)
		f.pullErr = errors.New("pull access denied for example/app-builder, repository does not exist or may require 'docker login'")
		b := newFakeBuilder(Config{}, f)
		_, _, err := b.builderFor(ctx, "example/app-builder:2")
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "example/app-builder:2 (the app's builder) is not in the Docker daemon")
		assert.Contains(t, msg, "refused access")
	})
	t.Run("the images made here are never pulled: a registry could serve anything under their trusted names", func(t *testing.T) {
		for _, img := range []string{OfflineBuilder, LifecycleImage, "docker.io/" + OfflineBuilder} {
			f := newFakeImages(PublicBuilder)
			f.pullable[img] = true
			b := newFakeBuilder(Config{}, f)
			_, _, err := b.builderFor(ctx, img)
			require.Error(t, err, img)
			assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), img)
			assert.Contains(t, engine.ErrorMessage(err), "make builder", img)
			assert.Empty(t, f.pulls, "%s must not be pulled", img)
		}
		f := newFakeImages()
		f.pullable[OfflineBuilder] = true
		b := newFakeBuilder(Config{DefaultBuilder: OfflineBuilder}, f)
		_, _, err := b.Resolve(ctx)
		require.Error(t, err, "the configured default is not pulled either")
		assert.Empty(t, f.pulls)
	})
	t.Run("no app builder means the default", func(t *testing.T) {
		f := newFakeImages(OfflineBuilder)
		b := newFakeBuilder(Config{}, f)
		img, _, err := b.builderFor(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, OfflineBuilder, img)
	})
}

func TestPullFailure(t *testing.T) {
	tests := []struct {
		err      error
		timedOut bool
		want     string
	}{
		{context.DeadlineExceeded, true, "no answer from its registry within 30s"},
		{errors.New(`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host`), false, "cannot be reached"},
		{errors.New("Error response from daemon: manifest for heroku/builder:99 not found: manifest unknown"), false, "does not have it"},
		{errors.New("unauthorized: authentication required"), false, "refused access"},
		{errors.New("something odd\nsecond line"), false, "the pull failed: something odd"},
	}
	for _, tt := range tests {
		got := pullFailure(tt.err, tt.timedOut, 30*time.Second)
		assert.Contains(t, got, tt.want, "%v", tt.err)
		assert.NotContains(t, got, "\n")
	}
}
