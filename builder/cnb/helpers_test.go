package cnb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/internal/testenv"
)

// testCLI is the client of the daemon the integration tests use; nil when
// no daemon answers, and those tests skip.
var testCLI *client.Client

func TestMain(m *testing.M) {
	dockertest.Main("cnb tests", func() (int, error) { return run(m) })
}

// run connects to the daemon when there is one and runs the tests. The
// unit tests need no daemon.
func run(m *testing.M) (int, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if dockertest.Ping(ctx, cli) == nil {
		testCLI = cli
	}
	return m.Run(), nil
}

// needDocker skips t without a daemon.
func needDocker(t *testing.T) {
	t.Helper()
	if testCLI == nil {
		testenv.RequireOrSkip(t, "no Docker daemon answers (start one: make docker)")
	}
}

// needBuilder skips t without a daemon or the offline builder.
func needBuilder(t *testing.T) {
	t.Helper()
	needDocker(t)
	if _, err := testCLI.ImageInspect(context.Background(), OfflineBuilder); err != nil {
		testenv.RequireOrSkip(t, "these tests need the offline builder "+OfflineBuilder+": run `make builder`")
	}
}

// appsDir holds the sample apps the offline builder builds, one per type.
var appsDir = filepath.Join("..", "..", "e2e", "testdata", "apps")

// sampleApp returns the directory of a sample app, skipping t when it is
// not there.
func sampleApp(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(appsDir, name)
	if _, err := os.Stat(dir); err != nil {
		testenv.RequireOrSkip(t, "no sample app "+dir)
	}
	return dir
}

// newTestBuilder returns a Builder with the offline builder, a fresh
// instance id and the given memory limit, and removes when the test ends
// what that instance made: images, cache volumes of apps, and (failing the
// test if pack left any) build containers and networks and extracted
// sources.
func newTestBuilder(t *testing.T, memory int64, apps ...string) *Builder {
	instance := dockertest.Instance(t, testCLI)
	tmp := t.TempDir()
	b := New(Config{Docker: testCLI, Instance: instance, DefaultBuilder: OfflineBuilder, Memory: memory, TempDir: tmp})
	t.Cleanup(func() {
		left, err := os.ReadDir(tmp)
		assert.NoError(t, err)
		assert.Empty(t, left, "extracted sources left behind")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, app := range apps {
			assert.NoError(t, b.ClearCache(ctx, app))
		}
		assertNoBuildLeftovers(ctx, t, instance)
	})
	return b
}

// assertNoBuildLeftovers checks that pack removed its containers and
// networks, and removes them if not.
func assertNoBuildLeftovers(ctx context.Context, t *testing.T, instance string) {
	f := filters.NewArgs(filters.Arg("label", LabelBuildInstance+"="+instance))
	cs, err := testCLI.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	require.NoError(t, err)
	for _, c := range cs {
		_ = testCLI.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	}
	nets, err := testCLI.NetworkList(ctx, network.ListOptions{Filters: f})
	require.NoError(t, err)
	for _, n := range nets {
		_ = testCLI.NetworkRemove(ctx, n.ID)
	}
	assert.Empty(t, cs, "build containers left behind")
	assert.Empty(t, nets, "build networks left behind")
}

// copyApp copies a sample app into a temporary directory and applies
// changes (name -> content; "" deletes).
func copyApp(t *testing.T, src string, changes map[string]string) string {
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	for name, content := range changes {
		p := filepath.Join(dst, name)
		if content == "" {
			require.NoError(t, os.Remove(p))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dst
}

// sink records a build's output.
type sink struct {
	mu    sync.Mutex
	lines []string
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, string(p))
	return len(p), nil
}

func (s *sink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "")
}

// buildApp builds the app in dir as app v<release> and returns the image,
// the output and how long the build took.
func buildApp(ctx context.Context, t *testing.T, b *Builder, app string, release int, dir string, clear bool) (*engine.Image, string, time.Duration, error) {
	out := &sink{}
	start := time.Now()
	img, err := b.Build(ctx, engine.BuildRequest{App: app, Release: release, Commit: "0123456789abcdef",
		Source: dockertest.DirSource{Dir: dir}, Output: out, ClearCache: clear})
	took := time.Since(start)
	t.Logf("build of %s v%d took %s", app, release, took.Round(10*time.Millisecond))
	return img, out.text(), took, err
}

// runProcess starts a container of img's process typ as the runtime does
// (its entrypoint, PORT set, the port published on loopback) and returns
// the address it serves at. The container goes when t ends.
func runProcess(ctx context.Context, t *testing.T, b *Builder, img *engine.Image, typ string) string {
	var proc *engine.Process
	for i := range img.Processes {
		if img.Processes[i].Type == typ {
			proc = &img.Processes[i]
		}
	}
	require.NotNil(t, proc, "process %s in %v", typ, img.Processes)
	return dockertest.RunPublished(ctx, t, testCLI, container.Config{Image: img.Ref, Entrypoint: proc.Entrypoint,
		Cmd: proc.Cmd, Env: []string{"PORT=8080"}, Labels: map[string]string{dockernames.LabelInstance: b.cfg.Instance}}, 8080)
}
