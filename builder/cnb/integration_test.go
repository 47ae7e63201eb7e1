package cnb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/internal/testenv"
)

// buildCtx is a context for one integration test.
func buildCtx(t *testing.T) context.Context {
	return dockertest.Context(t, 5*time.Minute)
}

func TestBuildSampleApps(t *testing.T) {
	needBuilder(t)
	entries, err := os.ReadDir(appsDir)
	if err != nil {
		testenv.RequireOrSkip(t, "no sample apps in "+appsDir)
	}
	var apps []string
	for _, e := range entries {
		if e.IsDir() {
			apps = append(apps, e.Name())
		}
	}
	require.NotEmpty(t, apps)
	b := newTestBuilder(t, 0, apps...)
	ctx := buildCtx(t)
	for i, app := range apps {
		if app == "go" {
			continue // TestBuildCache builds and runs it, twice
		}
		t.Run(app, func(t *testing.T) {
			img, out, _, err := buildApp(ctx, t, b, app, i+1, filepath.Join(appsDir, app), false)
			require.NoError(t, err, "output:\n%s", out)
			assert.Contains(t, out, "Building with buildpacks, using the configured builder "+OfflineBuilder)
			assert.Equal(t, "buildpacks", img.Method)
			assert.Zero(t, img.Port)
			info, err := testCLI.ImageInspect(ctx, img.Ref)
			require.NoError(t, err)
			assert.Equal(t, []string{dockernames.ImageTag(b.cfg.Instance, app, i+1)}, info.RepoTags, "only the release tag")
			assert.Equal(t, app, info.Config.Labels[dockernames.LabelApp])
			assert.Equal(t, b.cfg.Instance, info.Config.Labels[dockernames.LabelInstance])
			for _, p := range img.Processes {
				assertFileInImage(ctx, t, img.Ref, p.Entrypoint[0])
			}
			addr := runProcess(ctx, t, b, img, engine.ProcessWeb)
			assert.NotEmpty(t, dockertest.Get(t, "http://"+addr+"/"))
		})
	}
}

// assertFileInImage checks that path exists in the image.
func assertFileInImage(ctx context.Context, t *testing.T, ref, path string) {
	t.Helper()
	c, err := testCLI.ContainerCreate(ctx, &container.Config{Image: ref, Entrypoint: []string{path}}, nil, nil, nil, "")
	require.NoError(t, err)
	defer testCLI.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	stat, err := testCLI.ContainerStatPath(ctx, c.ID, path)
	if assert.NoError(t, err, "%s in the image", path) {
		assert.Equal(t, filepath.Base(path), stat.Name)
	}
}

func TestBuildCache(t *testing.T) {
	needBuilder(t)
	dir := sampleApp(t, "go")
	const memory = 1 << 30
	b := newTestBuilder(t, memory, "gocache")
	ctx := buildCtx(t)

	limits := watchBuildContainers(ctx, t, b.cfg.Instance)
	img, cold, coldTook, err := buildApp(ctx, t, b, "gocache", 1, dir, false)
	require.NoError(t, err, cold)
	t.Run("the memory limit is on the lifecycle containers", func(t *testing.T) {
		seen := limits()
		require.NotEmpty(t, seen, "no build container seen while the build ran")
		for _, m := range seen {
			assert.Equal(t, [2]int64{memory, memory}, m, "Memory and MemorySwap")
		}
	})
	t.Run("a cold build restores nothing", func(t *testing.T) {
		assertCold(t, cold)
		assert.Equal(t, []string{"web"}, processTypes(img.Processes))
		assertFileInImage(ctx, t, img.Ref, "/cnb/process/web")
	})
	img2, warm, warmTook, err := buildApp(ctx, t, b, "gocache", 2, dir, false)
	require.NoError(t, err, warm)
	t.Run("a second build reuses the cache", func(t *testing.T) {
		assert.Contains(t, warm, "-----> Restored")
		assert.Regexp(t, `Exported the image: .* [1-9][0-9]* reused`, warm, "the unchanged binary's layer is reused")
		t.Logf("Go sample: cold %s, warm %s", coldTook.Round(10*time.Millisecond), warmTook.Round(10*time.Millisecond))
		addr := runProcess(ctx, t, b, img2, engine.ProcessWeb)
		assert.NotEmpty(t, dockertest.Get(t, "http://"+addr+"/"))
	})
	t.Run("ClearCache makes the next build cold", func(t *testing.T) {
		require.NoError(t, b.ClearCache(ctx, "gocache"))
		_, out, took, err := buildApp(ctx, t, b, "gocache", 3, dir, false)
		require.NoError(t, err, out)
		assertCold(t, out)
		t.Logf("after ClearCache: %s", took.Round(10*time.Millisecond))
	})
}

func TestBuildClearCacheRequest(t *testing.T) {
	needBuilder(t)
	dir := sampleApp(t, "python-wheel")
	b := newTestBuilder(t, 0, "pycache")
	ctx := buildCtx(t)
	_, out, _, err := buildApp(ctx, t, b, "pycache", 1, dir, false)
	require.NoError(t, err, out)
	assertCold(t, out)
	_, out, _, err = buildApp(ctx, t, b, "pycache", 2, dir, false)
	require.NoError(t, err, out)
	assert.Contains(t, out, "-----> Restored", "the second build is warm")
	_, out, _, err = buildApp(ctx, t, b, "pycache", 3, dir, true)
	require.NoError(t, err, out)
	assert.Contains(t, out, "Clearing the build cache")
	assertCold(t, out)
}

// assertCold checks that a build's output shows nothing restored from the
// cache and no layer reused.
func assertCold(t *testing.T, out string) {
	t.Helper()
	assert.NotContains(t, out, "-----> Restored")
	assert.Contains(t, out, ", 0 reused")
}

// watchBuildContainers records, until the returned function is called,
// the Memory and MemorySwap of every build container of instance.
func watchBuildContainers(ctx context.Context, t *testing.T, instance string) func() map[string][2]int64 {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	seen := map[string][2]int64{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := filters.NewArgs(filters.Arg("label", LabelBuildInstance+"="+instance))
		for ctx.Err() == nil {
			cs, _ := testCLI.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
			for _, c := range cs {
				info, err := testCLI.ContainerInspect(ctx, c.ID)
				if err == nil {
					mu.Lock()
					seen[c.ID] = [2]int64{info.HostConfig.Memory, info.HostConfig.MemorySwap}
					mu.Unlock()
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	t.Cleanup(cancel)
	return func() map[string][2]int64 {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

func TestBuildUnrecognised(t *testing.T) {
	needBuilder(t)
	b := newTestBuilder(t, 0, "nothing")
	ctx := buildCtx(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("nothing to build\n"), 0o644))
	_, out, _, err := buildApp(ctx, t, b, "nothing", 1, dir, false)
	require.Error(t, err)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%v\noutput:\n%s", err, out)
	msg := engine.ErrorMessage(err)
	t.Logf("message:\n%s", msg)
	info, err := b.inspectBuilder(ctx, OfflineBuilder)
	require.NoError(t, err)
	require.NotEmpty(t, info.Buildpacks)
	for _, bp := range info.Buildpacks {
		assert.Contains(t, msg, "  - "+bp.describe())
	}
	assert.Contains(t, msg, "Their detection said:")
}

func TestBuildFails(t *testing.T) {
	needBuilder(t)
	b := newTestBuilder(t, 0, "broken")
	ctx := buildCtx(t)
	dir := copyApp(t, sampleApp(t, "go"), map[string]string{"main.go": "package main\n\nfunc main() { undefinedThing() }\n"})
	_, out, _, err := buildApp(ctx, t, b, "broken", 1, dir, false)
	require.Error(t, err)
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err), "%v", err)
	msg := engine.ErrorMessage(err)
	t.Logf("message:\n%s", msg)
	assert.Contains(t, msg, "Last lines of the build output:")
	assert.Contains(t, msg, "undefinedThing", "the compiler's complaint is in the message")
	assert.Contains(t, out, "undefinedThing", "and in the output")
}

func TestBuildTimeout(t *testing.T) {
	needBuilder(t)
	b := newTestBuilder(t, 0, "slow")
	b.cfg.BuildTimeout = 3 * time.Second
	ctx := buildCtx(t)
	start := time.Now()
	_, out, _, err := buildApp(ctx, t, b, "slow", 1, sampleApp(t, "go"), false)
	require.Error(t, err, out)
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err), "%v", err)
	assert.Contains(t, engine.ErrorMessage(err), "the build ran longer than its timeout of 3s")
	assert.Less(t, time.Since(start), 30*time.Second, "the build stops at its timeout")
}

func TestBuildCancelled(t *testing.T) {
	needBuilder(t)
	b := newTestBuilder(t, 0, "cancelled")
	ctx, cancel := context.WithCancel(buildCtx(t))
	time.AfterFunc(2*time.Second, cancel)
	_, out, _, err := buildApp(ctx, t, b, "cancelled", 1, sampleApp(t, "go"), false)
	require.Error(t, err, out)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestBuildChoosesBuilder(t *testing.T) {
	needBuilder(t)
	dir := sampleApp(t, "procfile")
	ctx := buildCtx(t)
	instance := dockertest.Instance(t, testCLI)
	missing := "qs-missing-" + instance + "/builder:1"
	b := New(Config{Docker: testCLI, Instance: instance, DefaultBuilder: missing, TempDir: t.TempDir()})
	t.Cleanup(func() { assert.NoError(t, b.ClearCache(context.Background(), "chooser")) })

	t.Run("the app's builder wins over the server's", func(t *testing.T) {
		out := &sink{}
		img, err := b.Build(ctx, engine.BuildRequest{App: "chooser", Release: 1, Source: dockertest.DirSource{Dir: dir}, Output: out, BuilderImage: OfflineBuilder})
		require.NoError(t, err, out.text())
		assert.Contains(t, out.text(), "using the app's builder "+OfflineBuilder)
		assert.Equal(t, "buildpacks", img.Method)
	})
	t.Run("a missing app's builder is a clear error", func(t *testing.T) {
		b2 := New(Config{Docker: testCLI, Instance: instance, DefaultBuilder: OfflineBuilder})
		_, err := b2.Build(ctx, engine.BuildRequest{App: "chooser", Release: 2, Source: dockertest.DirSource{Dir: dir}, BuilderImage: missing})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), missing+" (the app's builder) is not in the Docker daemon and could not be pulled")
	})
	t.Run("a missing server's builder is a clear error", func(t *testing.T) {
		_, err := b.Build(ctx, engine.BuildRequest{App: "chooser", Release: 3, Source: dockertest.DirSource{Dir: dir}})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), missing+" (the configured builder)")
	})
	t.Run("without a configured builder the offline one is found", func(t *testing.T) {
		b3 := New(Config{Docker: testCLI, Instance: instance})
		// On a host whose daemon has the public builder, or reaches Docker
		// Hub, the fallback would not be taken: hide it, and refuse its pull.
		b3.images = withoutPublicBuilder{b3.images}
		img, how, err := b3.Resolve(ctx)
		require.NoError(t, err)
		assert.Equal(t, OfflineBuilder, img)
		assert.Contains(t, how, "because "+PublicBuilder+" cannot be pulled")
	})
}

func TestBuildProcfileApp(t *testing.T) {
	needBuilder(t)
	b := newTestBuilder(t, 0, "procs")
	ctx := buildCtx(t)
	src := sampleApp(t, "procfile")
	procfile, err := os.ReadFile(filepath.Join(src, "Procfile"))
	require.NoError(t, err)
	dir := copyApp(t, src, map[string]string{"Procfile": string(procfile) + "release: echo migrating\n"})
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
	img, out, _, err := buildApp(ctx, t, b, "procs", 1, dir, false)
	require.NoError(t, err, out)

	t.Run("every process type, each with its launcher entry", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"web", "worker", "release"}, processTypes(img.Processes))
		for _, p := range img.Processes {
			assert.Equal(t, []string{"/cnb/process/" + p.Type}, p.Entrypoint)
			assertFileInImage(ctx, t, img.Ref, p.Entrypoint[0])
		}
	})
	t.Run("a symbolic link out of the tree is left out", func(t *testing.T) {
		assert.Contains(t, out, "Leaving out the symbolic link passwd -> /etc/passwd: it points outside the repository")
	})
	t.Run("the web process serves", func(t *testing.T) {
		addr := runProcess(ctx, t, b, img, engine.ProcessWeb)
		assert.Equal(t, "Hello from the procfile sample\n", dockertest.Get(t, "http://"+addr+"/"))
	})
}

// withoutPublicBuilder is the daemon's image store as seen from a host
// without the public builder and without a registry: it is not there, and
// pulling it fails as an offline pull does.
type withoutPublicBuilder struct{ imageStore }

func (w withoutPublicBuilder) Exists(ctx context.Context, ref string) (bool, error) {
	if ref == PublicBuilder {
		return false, nil
	}
	return w.imageStore.Exists(ctx, ref)
}

func (w withoutPublicBuilder) Pull(ctx context.Context, ref string) error {
	if ref == PublicBuilder {
		return errors.New(`Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`)
	}
	return w.imageStore.Pull(ctx, ref)
}
