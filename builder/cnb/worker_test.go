package cnb

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

// recordingIsolator records what it is asked to build and answers img.
type recordingIsolator struct {
	configs []WorkerConfig
	reqs    []engine.BuildRequest
	img     *engine.Image
	block   bool // wait for ctx to end, and return its error
}

func (r *recordingIsolator) Build(ctx context.Context, config any, req engine.BuildRequest) (*engine.Image, error) {
	r.configs = append(r.configs, config.(WorkerConfig))
	r.reqs = append(r.reqs, req)
	if r.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return r.img, nil
}

// unreachableDocker is a client of a daemon that is not there.
func unreachableDocker(t *testing.T) *client.Client {
	cli, err := client.NewClientWithOpts(client.WithHost("unix:///nonexistent/docker.sock"), client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	return cli
}

func isolatedBuilder(t *testing.T, iso Isolator, present ...string) *Builder {
	pool, err := subnetpool.Parse("10.77.0.0/20")
	require.NoError(t, err)
	return newFakeBuilder(Config{
		Docker: unreachableDocker(t), Instance: "i1", Memory: 1 << 30, BuildTimeout: 3 * time.Minute,
		TempDir: t.TempDir(), Subnets: pool, Isolator: iso,
	}, newFakeImages(present...))
}

func TestIsolatedBuildGetsTheResolvedBuilder(t *testing.T) {
	iso := &recordingIsolator{img: &engine.Image{Ref: "sha256:1", Method: "buildpacks"}}
	b := isolatedBuilder(t, iso, OfflineBuilder)
	req := engine.BuildRequest{App: "shop", Release: 3, Options: map[string]string{"x": "y"}}
	img, err := b.Build(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "sha256:1", img.Ref)
	require.Len(t, iso.configs, 1)
	wc := iso.configs[0]
	assert.Equal(t, OfflineBuilder, wc.Chosen)
	assert.Contains(t, wc.ChosenHow, "the offline builder")
	assert.Equal(t, WorkerConfig{
		DockerHost: "unix:///nonexistent/docker.sock", Instance: "i1", LifecycleImage: LifecycleImage, Memory: 1 << 30,
		BuildTimeout: 3 * time.Minute, PullTimeout: DefaultPullTimeout, TempDir: b.cfg.TempDir, Subnets: "10.77.0.0/20",
		Chosen: wc.Chosen, ChosenHow: wc.ChosenHow,
	}, wc)
	assert.Equal(t, req, iso.reqs[0], "the request goes as it is")
}

func TestIsolatedBuildWithTheAppsBuilder(t *testing.T) {
	iso := &recordingIsolator{img: &engine.Image{Ref: "sha256:1"}}
	b := isolatedBuilder(t, iso) // no builder at all: resolving would fail
	_, err := b.Build(context.Background(), engine.BuildRequest{App: "shop", BuilderImage: "example/builder"})
	require.NoError(t, err)
	assert.Empty(t, iso.configs[0].Chosen, "the process obtains the app's builder itself")
}

func TestIsolatedBuildWithoutBuilder(t *testing.T) {
	iso := &recordingIsolator{}
	b := isolatedBuilder(t, iso)
	b.images.(*fakeImages).pullErr = engine.Errorf(engine.EUNAVAILABLE, "no registry")
	_, err := b.Build(context.Background(), engine.BuildRequest{App: "shop"})
	require.Error(t, err)
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Empty(t, iso.configs, "no process is started without a builder")
}

func TestIsolatedBuildTimesOutInTheDaemonToo(t *testing.T) {
	old := workerSlack
	workerSlack = 50 * time.Millisecond
	t.Cleanup(func() { workerSlack = old })
	iso := &recordingIsolator{block: true}
	b := isolatedBuilder(t, iso, OfflineBuilder)
	b.cfg.BuildTimeout = 50 * time.Millisecond
	_, err := b.Build(context.Background(), engine.BuildRequest{App: "shop"})
	require.Error(t, err)
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "ran longer than its timeout of 50ms")
}

func TestNewWorkerFromConfig(t *testing.T) {
	wc := WorkerConfig{DockerHost: "unix:///run/other.sock", Instance: "i9", DefaultBuilder: "example/b",
		LifecycleImage: "example/lc", Memory: 512 << 20, BuildTimeout: time.Minute, PullTimeout: time.Second,
		TempDir: "/tmp/x", Subnets: "10.77.0.0/20", Chosen: "example/b", ChosenHow: "the configured builder example/b"}
	data, err := json.Marshal(wc)
	require.NoError(t, err)
	b, closeFn, err := NewWorker(context.Background(), data, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer closeFn()
	assert.Equal(t, wc, b.workerConfig().withChosen(b.chosen))
	assert.Nil(t, b.cfg.Isolator, "a worker builds in its own process")
	assert.Equal(t, "/run/other.sock", b.socket, "the trust rules see the same socket as the daemon")

	_, _, err = NewWorker(context.Background(), []byte(`{"subnets":"nonsense"}`), nil)
	require.ErrorContains(t, err, "decode worker config")
}
