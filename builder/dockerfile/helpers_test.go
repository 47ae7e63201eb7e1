package dockerfile

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockertest"
)

// Shared by the tests: one client and the test server (dockertest.ServerPackage)
// compiled statically.
var (
	testCLI   *client.Client
	serverBin []byte
)

func TestMain(m *testing.M) {
	dockertest.Main("dockerfile tests", func() (int, error) { return run(m) })
}

// run prepares the client and the test server, runs the tests, and cleans up.
func run(m *testing.M) (int, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dockertest.Ping(ctx, cli); err != nil {
		return 0, err
	}
	if serverBin, err = dockertest.ServerBinary(); err != nil {
		return 0, err
	}
	testCLI = cli
	return m.Run(), nil
}

// newTestBuilder returns a Builder with a fresh instance id whose images
// (and any container or network so labelled) are removed when the test ends.
func newTestBuilder(t *testing.T) *Builder {
	return New(testCLI, dockertest.Instance(t, testCLI), nil)
}

// newSource writes files into a temporary directory; "server" gets the
// test server binary when its content is nil.
func newSource(t *testing.T, files map[string]string) dockertest.DirSource {
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server"), serverBin, 0o755))
	return dockertest.DirSource{Dir: dir}
}

// brokenSource writes the start of a tar stream and then fails.
type brokenSource struct{ err error }

func (s brokenSource) Archive(ctx context.Context, w io.Writer) error {
	tw := tar.NewWriter(w)
	_ = tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: 1 << 20, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("FROM scratch\n"))
	return s.err
}

func (s brokenSource) ReadFile(ctx context.Context, path string) ([]byte, error) {
	return []byte("FROM scratch\n"), nil
}

// output records what a build relays: every Write, flushes, and a signal
// when a line containing want appears.
type output struct {
	mu      sync.Mutex
	writes  []string
	flushes int
	want    string
	seen    chan struct{}
	once    sync.Once
}

func newOutput(want string) *output {
	return &output{want: want, seen: make(chan struct{})}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes = append(o.writes, string(p))
	if o.want != "" && strings.Contains(string(p), o.want) {
		o.once.Do(func() { close(o.seen) })
	}
	return len(p), nil
}

func (o *output) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushes++
}

func (o *output) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.writes, "")
}

// removeLeftovers removes, when the test ends, the intermediate images a
// failed or cancelled build of out left behind: the classic builder keeps
// them as cache, unlabelled. Images with children or tags stay.
func removeLeftovers(t *testing.T, out *output) {
	t.Cleanup(func() {
		ids := leftoverRe.FindAllStringSubmatch(out.text(), -1)
		for i := len(ids) - 1; i >= 0; i-- {
			_, _ = testCLI.ImageRemove(context.Background(), ids[i][1], image.RemoveOptions{PruneChildren: true})
		}
	})
}

var leftoverRe = regexp.MustCompile(`(?m)^ ---> ([0-9a-f]{12})$`)

// containersRunning lists the containers whose command mentions token.
func containersRunning(ctx context.Context, t *testing.T, token string) []string {
	cs, err := testCLI.ContainerList(ctx, container.ListOptions{All: true})
	require.NoError(t, err)
	var found []string
	for _, c := range cs {
		if strings.Contains(c.Command, token) {
			found = append(found, c.ID)
		}
	}
	return found
}
