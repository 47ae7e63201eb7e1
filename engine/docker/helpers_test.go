package docker

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockertest"
)

// Shared by the tests of this package: one client, and one image FROM
// scratch holding the test server (dockertest.ServerPackage) as /server
// (CMD ["/server"], EXPOSE 8080).
var (
	testCLI   *client.Client
	testImage string
)

func TestMain(m *testing.M) {
	dockertest.Main("docker tests", func() (int, error) { return run(m) })
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
	if err := dockertest.Ping(ctx, cli); err != nil {
		return 0, err
	}
	server, err := dockertest.ServerBinary()
	if err != nil {
		return 0, err
	}
	testCLI, testImage = cli, "qs-test-"+dockertest.RandomHex(4)+"/server:latest"
	files := map[string][]byte{"Dockerfile": []byte(dockertest.ServerDockerfile), "server": server}
	if err := dockertest.BuildImage(ctx, cli, testImage, nil, files); err != nil {
		return 0, err
	}
	defer cli.ImageRemove(context.Background(), testImage, image.RemoveOptions{Force: true, PruneChildren: true})
	return m.Run(), nil
}

// newTestRuntime returns a Runtime with a fresh instance id whose objects
// are all removed when the test ends.
func newTestRuntime(t *testing.T) *Runtime {
	return New(testCLI, dockertest.Instance(t, testCLI), nil)
}

// testCtx is a context for one test step.
func testCtx(t *testing.T) context.Context {
	return dockertest.Context(t, time.Minute)
}

// webSpec is a spec running the test server as web.1 of release 1.
func webSpec(app string) engine.ContainerSpec {
	return engine.ContainerSpec{App: app, Release: 1, Process: "web", Replica: 1, Image: testImage, Port: 8080,
		Env: map[string]string{"PORT": "8080"}}
}
