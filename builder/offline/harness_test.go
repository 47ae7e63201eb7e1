package offline_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buildpacks/pack/pkg/blob"
	"github.com/buildpacks/pack/pkg/cache"
	"github.com/buildpacks/pack/pkg/client"
	packimage "github.com/buildpacks/pack/pkg/image"
	"github.com/buildpacks/pack/pkg/logging"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	dockerclient "github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	"github.com/stretchr/testify/require"
)

// builderImage is what `make builder` makes, or QUAYSIDE_TEST_BUILDER.
var builderImage = func() string {
	if b := os.Getenv("QUAYSIDE_TEST_BUILDER"); b != "" {
		return b
	}
	return "quayside/builder:offline"
}()

// harness builds apps with the offline builder through pack, as Quayside's
// build method does, and runs the images. Every Docker object it makes is
// named quayside-buildertest-<id>-... and removed when the test ends.
type harness struct {
	docker *dockerclient.Client
	id     string
}

// newHarness skips unless QUAYSIDE_BUILDER_TEST=1 and needs the builder.
func newHarness(t *testing.T) *harness {
	t.Helper()
	if os.Getenv("QUAYSIDE_BUILDER_TEST") != "1" {
		t.Skip("opt-in (about a minute): make test sets QUAYSIDE_BUILDER_TEST=1; by hand, run `make builder`, then QUAYSIDE_BUILDER_TEST=1 go test ./builder/offline/")
	}
	docker, err := dockerclient.NewClientWithOpts(dockerclient.FromEnv, dockerclient.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = docker.Close() })
	_, err = docker.ImageInspect(context.Background(), builderImage)
	require.NoError(t, err, "the builder image is missing: run make builder")
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &harness{docker: docker, id: hex.EncodeToString(b)}
}

// lockedBuffer collects pack's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// build builds appDir into a new image and returns its name and the build
// output. Builds with the same cacheKey share their cache volumes.
func (h *harness) build(t *testing.T, name, appDir, cacheKey string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out lockedBuffer
	logger := logging.NewLogWithWriters(&out, &out)
	pack, err := client.NewClient(
		client.WithDockerClient(h.docker),
		client.WithLogger(logger),
		client.WithDownloader(blob.NewDownloader(logger, t.TempDir())),
	)
	require.NoError(t, err)
	img := fmt.Sprintf("quayside-buildertest-%s/%s:latest", h.id, name)
	t.Cleanup(func() { h.removeImage(img) })
	vol := fmt.Sprintf("quayside-buildertest-%s-%s", h.id, cacheKey)
	t.Cleanup(func() { h.removeVolumes(vol+"-build", vol+"-launch") })
	err = pack.Build(ctx, client.BuildOptions{
		AppPath:      appDir,
		Builder:      builderImage,
		Image:        img,
		TrustBuilder: func(string) bool { return true },
		PullPolicy:   packimage.PullNever,
		UserID:       -1,
		GroupID:      -1,
		Cache: cache.CacheOpts{
			Build:  cache.CacheInfo{Format: cache.CacheVolume, Source: vol + "-build"},
			Launch: cache.CacheInfo{Format: cache.CacheVolume, Source: vol + "-launch"},
		},
	})
	return img, out.String(), err
}

func (h *harness) removeImage(img string) {
	_, _ = h.docker.ImageRemove(context.Background(), img, image.RemoveOptions{Force: true, PruneChildren: true})
}

func (h *harness) removeVolumes(names ...string) {
	for _, n := range names {
		_ = h.docker.VolumeRemove(context.Background(), n, true)
	}
}

// buildMetadata is the part of an app image's io.buildpacks.build.metadata
// label the tests read.
type buildMetadata struct {
	Processes []struct {
		Type    string   `json:"type"`
		Command []string `json:"command"`
	} `json:"processes"`
	Buildpacks []struct {
		ID string `json:"id"`
	} `json:"buildpacks"`
}

// inspect returns the image's process types, buildpacks, user and entrypoint.
func (h *harness) inspect(t *testing.T, img string) (processes, buildpacks []string, user, entrypoint string) {
	t.Helper()
	info, err := h.docker.ImageInspect(context.Background(), img)
	require.NoError(t, err)
	var md buildMetadata
	require.NoError(t, json.Unmarshal([]byte(info.Config.Labels["io.buildpacks.build.metadata"]), &md))
	for _, p := range md.Processes {
		processes = append(processes, p.Type)
	}
	for _, bp := range md.Buildpacks {
		buildpacks = append(buildpacks, bp.ID)
	}
	return processes, buildpacks, info.Config.User, strings.Join(info.Config.Entrypoint, " ")
}

// run starts the image with PORT=8080 published on loopback and returns the
// base URL.
func (h *harness) run(t *testing.T, name, img string) string {
	t.Helper()
	ctx := context.Background()
	port := nat.Port("8080/tcp")
	created, err := h.docker.ContainerCreate(ctx,
		&container.Config{Image: img, Env: []string{"PORT=8080"}, ExposedPorts: nat.PortSet{port: {}}},
		&container.HostConfig{PortBindings: nat.PortMap{port: {{HostIP: "127.0.0.1"}}}},
		nil, nil, fmt.Sprintf("quayside-buildertest-%s-%s", h.id, name))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = h.docker.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
	})
	require.NoError(t, h.docker.ContainerStart(ctx, created.ID, container.StartOptions{}))
	info, err := h.docker.ContainerInspect(ctx, created.ID)
	require.NoError(t, err)
	bindings := info.NetworkSettings.Ports[port]
	require.NotEmpty(t, bindings, "port 8080 is not published")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, h.logs(created.ID))
		}
	})
	return "http://127.0.0.1:" + bindings[0].HostPort
}

// logs returns a container's output.
func (h *harness) logs(id string) string {
	rc, err := h.docker.ContainerLogs(context.Background(), id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return err.Error()
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// get polls url until it answers (any status) or the deadline passes.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	var resp *http.Response
	var body []byte
	require.Eventually(t, func() bool {
		r, err := http.Get(url)
		if err != nil {
			return false
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		resp, body = r, b
		return true
	}, 60*time.Second, 100*time.Millisecond, "no answer from %s", url)
	return resp, string(body)
}
