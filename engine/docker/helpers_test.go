package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/quayside/quayside/engine"
	"github.com/stretchr/testify/require"
)

// Shared by the tests of this package: one client, and one image FROM
// scratch holding testdata/server as /server (CMD ["/server"], EXPOSE 8080).
var (
	testCLI   *client.Client
	testImage string
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docker tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// run prepares the client and the image, runs the tests, and cleans up.
func run(m *testing.M) (int, error) {
	cli, err := NewClient()
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		return 0, fmt.Errorf("these tests need a Docker daemon: %w", err)
	}
	bin, err := compileServer()
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(filepath.Dir(bin))
	testCLI, testImage = cli, "qs-test-"+randomHex(4)+"/server:latest"
	files := map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY server /server\nEXPOSE 8080\nCMD [\"/server\"]\n")}
	if files["server"], err = os.ReadFile(bin); err != nil {
		return 0, err
	}
	if err := buildImage(ctx, cli, testImage, nil, files); err != nil {
		return 0, err
	}
	defer cli.ImageRemove(context.Background(), testImage, image.RemoveOptions{Force: true, PruneChildren: true})
	return m.Run(), nil
}

// compileServer builds testdata/server statically into a temporary directory.
func compileServer() (string, error) {
	dir, err := os.MkdirTemp("", "qs-docker-test-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "server")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./testdata/server")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compile test server: %v\n%s", err, out)
	}
	return bin, nil
}

// buildImage builds files (a Dockerfile and what it copies) as tag with
// labels, and fails on any build error.
func buildImage(ctx context.Context, cli *client.Client, tag string, labels map[string]string, files map[string][]byte) error {
	resp, err := cli.ImageBuild(ctx, tarOf(files), build.ImageBuildOptions{
		Version: build.BuilderV1, Tags: []string{tag}, Labels: labels, Remove: true, ForceRemove: true,
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var m struct{ Error string }
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if m.Error != "" {
			return fmt.Errorf("build %s: %s", tag, m.Error)
		}
	}
}

// tarOf makes an uncompressed tar of files, all executable.
func tarOf(files map[string][]byte) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg})
		_, _ = tw.Write(data)
	}
	_ = tw.Close()
	return &buf
}

// newTestRuntime returns a Runtime with a fresh instance id whose objects
// are all removed when the test ends.
func newTestRuntime(t *testing.T) *Runtime {
	t.Helper()
	instance := randomHex(4)
	t.Cleanup(func() { cleanupInstance(t, instance) })
	return New(testCLI, instance, nil)
}

// cleanupInstance removes every container, network and image of instance.
func cleanupInstance(t *testing.T, instance string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := scope(instance, "")
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
	imgs, err := testCLI.ImageList(ctx, image.ListOptions{All: true, Filters: f})
	require.NoError(t, err)
	for _, i := range imgs {
		_, _ = testCLI.ImageRemove(ctx, i.ID, image.RemoveOptions{Force: true, PruneChildren: true})
	}
}

// testCtx is a context for one test step.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// httpGet fetches url, retrying until it answers 200 or 10 s pass.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond, "GET %s", url)
	return body
}

// webSpec is a spec running the test server as web.1 of release 1.
func webSpec(app string) engine.ContainerSpec {
	return engine.ContainerSpec{App: app, Release: 1, Process: "web", Replica: 1, Image: testImage, Port: 8080,
		Env: map[string]string{"PORT": "8080"}}
}
