package docker

import (
	"context"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

func TestStart(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	spec := webSpec("shop")
	spec.Release, spec.Replica = 7, 2
	spec.Env = map[string]string{"PORT": "9090", "GREETING": "hi there"}
	spec.Port = 9090
	c, err := r.Start(ctx, spec)
	require.NoError(t, err)

	t.Run("returns the running container", func(t *testing.T) {
		assert.Equal(t, "shop", c.App)
		assert.Equal(t, 7, c.Release)
		assert.Equal(t, "web", c.Process)
		assert.Equal(t, 2, c.Replica)
		assert.Equal(t, testImage, c.Image)
		assert.True(t, c.Running)
		assert.Equal(t, "running", c.State)
		assert.Regexp(t, `^qs-`+r.instance+`-shop-web-2-v7-[0-9a-f]{4}$`, c.Name)
		assert.Regexp(t, `^127\.0\.0\.1:\d+$`, c.Addr)
		assert.False(t, c.CreatedAt.IsZero())
		assert.False(t, c.StartedAt.IsZero())
	})
	t.Run("answers HTTP on Addr with its env and PORT", func(t *testing.T) {
		assert.Equal(t, "hello", dockertest.Get(t, "http://"+c.Addr+"/"))
		assert.Equal(t, "hi there", dockertest.Get(t, "http://"+c.Addr+"/env?name=GREETING"))
		assert.Equal(t, "9090", dockertest.Get(t, "http://"+c.Addr+"/env?name=PORT"))
	})
	t.Run("is configured as promised", func(t *testing.T) {
		info, err := testCLI.ContainerInspect(ctx, c.ID)
		require.NoError(t, err)
		h := info.HostConfig
		assert.Equal(t, container.RestartPolicyUnlessStopped, h.RestartPolicy.Name)
		assert.Equal(t, "json-file", h.LogConfig.Type)
		assert.Equal(t, map[string]string{"max-size": "10m", "max-file": "3"}, h.LogConfig.Config)
		require.NotNil(t, h.Init)
		assert.True(t, *h.Init)
		assert.Contains(t, h.SecurityOpt, "no-new-privileges:true")
		assert.Equal(t, NetworkName(r.instance, "shop"), string(h.NetworkMode))
		for _, b := range info.NetworkSettings.Ports["9090/tcp"] {
			assert.Equal(t, "127.0.0.1", b.HostIP, "published only on loopback")
		}
		assert.Equal(t, r.instance, info.Config.Labels[dockernames.LabelInstance])
	})
	t.Run("network is labelled", func(t *testing.T) {
		n, err := testCLI.NetworkInspect(ctx, NetworkName(r.instance, "shop"), network.InspectOptions{})
		require.NoError(t, err)
		assert.Equal(t, "bridge", n.Driver)
		assert.Equal(t, map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: "shop"}, n.Labels)
	})
	t.Run("Inspect sees the same container", func(t *testing.T) {
		got, err := r.Inspect(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ID)
		assert.Equal(t, c.Addr, got.Addr)
		byName, err := r.Inspect(ctx, c.Name)
		require.NoError(t, err)
		assert.Equal(t, c.ID, byName.ID)
	})
}

func TestStartConcurrentlyOnOneNetwork(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	errs := make(chan error, 3)
	for i := 1; i <= 3; i++ {
		go func() {
			spec := webSpec("multi")
			spec.Replica = i
			_, err := r.Start(ctx, spec)
			errs <- err
		}()
	}
	for range 3 {
		require.NoError(t, <-errs)
	}
	nets, err := testCLI.NetworkList(ctx, network.ListOptions{Filters: scope(r.instance, "multi")})
	require.NoError(t, err)
	assert.Len(t, nets, 1, "one network per app")
	cs, err := r.Containers(ctx, "multi")
	require.NoError(t, err)
	require.Len(t, cs, 3)
	for i, c := range cs {
		assert.Equal(t, i+1, c.Replica, "ordered by replica")
	}
}

func TestStartRejects(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	bad := func(mod func(*engine.ContainerSpec)) engine.ContainerSpec {
		s := webSpec("app")
		mod(&s)
		return s
	}
	tests := []struct {
		name string
		spec engine.ContainerSpec
		code string
	}{
		{"missing image", bad(func(s *engine.ContainerSpec) { s.Image = "qs-test-none/missing:v1" }), engine.ENOTFOUND},
		{"empty image", bad(func(s *engine.ContainerSpec) { s.Image = "" }), engine.EINVALID},
		{"bad app", bad(func(s *engine.ContainerSpec) { s.App = "Bad/App" }), engine.EINVALID},
		{"bad process", bad(func(s *engine.ContainerSpec) { s.Process = "web 1" }), engine.EINVALID},
		{"zero replica", bad(func(s *engine.ContainerSpec) { s.Replica = 0 }), engine.EINVALID},
		{"zero release", bad(func(s *engine.ContainerSpec) { s.Release = 0 }), engine.EINVALID},
		{"port out of range", bad(func(s *engine.ContainerSpec) { s.Port = 70000 }), engine.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Start(ctx, tt.spec)
			assert.Equal(t, tt.code, engine.ErrorCode(err), "err: %v", err)
		})
	}
	t.Run("leaves nothing behind", func(t *testing.T) {
		cs, err := r.Containers(ctx, "")
		require.NoError(t, err)
		assert.Empty(t, cs)
		nets, err := testCLI.NetworkList(ctx, network.ListOptions{Filters: scope(r.instance, "")})
		require.NoError(t, err)
		assert.Empty(t, nets, "no network for a spec that cannot run")
	})
}

func TestStartFailureRemovesContainer(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	// Docker creates a container of this image but cannot start it: the
	// user does not exist in an image without /etc/passwd.
	tag := "qs-test-" + r.instance + "/nouser:latest"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, tag, nil,
		map[string][]byte{"Dockerfile": []byte("FROM " + testImage + "\nUSER nosuchuser\n")}))
	t.Cleanup(func() { _, _ = testCLI.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })

	spec := webSpec("broken")
	spec.Image = tag
	_, err := r.Start(ctx, spec)
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "starting the container failed: Docker said: unable to find user nosuchuser")
	assert.Contains(t, engine.ErrorDetail(err), "start container: Error response from daemon:", "the daemon's text is kept for the log")
	cs, err := r.Containers(ctx, "broken")
	require.NoError(t, err)
	assert.Empty(t, cs, "the created container is removed again")
}

func TestStop(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	c, err := r.Start(ctx, webSpec("stopper"))
	require.NoError(t, err)
	dockertest.Get(t, "http://"+c.Addr+"/")

	begin := time.Now()
	require.NoError(t, r.Stop(ctx, c.ID, 30*time.Second))
	assert.Less(t, time.Since(begin), 10*time.Second, "SIGTERM reaches the app through docker-init, no SIGKILL wait")

	_, err = r.Inspect(ctx, c.ID)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	_, err = testCLI.ContainerInspect(ctx, c.ID)
	assert.True(t, cerrdefs.IsNotFound(err), "removed from Docker: %v", err)

	t.Run("twice is fine", func(t *testing.T) {
		assert.NoError(t, r.Stop(ctx, c.ID, time.Second))
	})
	t.Run("unknown id is fine", func(t *testing.T) {
		assert.NoError(t, r.Stop(ctx, "qs-no-such-container", time.Second))
	})
}

func TestInstanceScoping(t *testing.T) {
	mine, theirs := newTestRuntime(t), newTestRuntime(t)
	ctx := testCtx(t)
	a, err := mine.Start(ctx, webSpec("shared"))
	require.NoError(t, err)
	b, err := theirs.Start(ctx, webSpec("shared"))
	require.NoError(t, err)

	for _, app := range []string{"", "shared"} {
		cs, err := mine.Containers(ctx, app)
		require.NoError(t, err)
		require.Len(t, cs, 1, "app %q", app)
		assert.Equal(t, a.ID, cs[0].ID)
	}
	cs, err := mine.Containers(ctx, "other")
	require.NoError(t, err)
	assert.Empty(t, cs)

	_, err = mine.Inspect(ctx, b.ID)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "another instance's container is invisible")
	_, err = mine.Logs(ctx, b.ID, 10)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	require.NoError(t, mine.Stop(ctx, b.ID, time.Second))
	require.Error(t, mine.RemoveApp(ctx, "shared"), "own network still has a container")

	still, err := theirs.Inspect(ctx, b.ID)
	require.NoError(t, err)
	assert.True(t, still.Running, "another instance's container is untouched")
	assert.Equal(t, "hello", dockertest.Get(t, "http://"+b.Addr+"/"))
}

func TestLogs(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	spec := webSpec("talker")
	spec.Cmd = []string{"/server", "-lines", "5"}
	c, err := r.Start(ctx, spec)
	require.NoError(t, err)
	var logs string
	require.Eventually(t, func() bool {
		logs, err = r.Logs(ctx, c.ID, 100)
		return err == nil && strings.Contains(logs, "ready on stderr") && strings.Contains(logs, "listening")
	}, 10*time.Second, 50*time.Millisecond)

	t.Run("stdout in order and stderr, demultiplexed", func(t *testing.T) {
		// Docker reads stdout and stderr apart: a stderr line may land
		// between stdout lines written before it.
		assert.Contains(t, logs, "ready on stderr\n")
		stdout := strings.Replace(logs, "ready on stderr\n", "", 1)
		assert.Contains(t, stdout, "line 1\nline 2\nline 3\nline 4\nline 5\n")
		assert.NotContains(t, logs, "\x00", "no multiplexing headers")
	})
	t.Run("last n lines", func(t *testing.T) {
		last, err := r.Logs(ctx, c.ID, 2)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSuffix(last, "\n"), "\n")
		require.Len(t, lines, 2, "got %q", last)
		assert.True(t, strings.HasSuffix(logs, last), "the last lines of %q, got %q", logs, last)
	})
	t.Run("zero lines", func(t *testing.T) {
		none, err := r.Logs(ctx, c.ID, 0)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
	t.Run("missing container", func(t *testing.T) {
		_, err := r.Logs(ctx, "qs-no-such-container", 5)
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	})
}

func TestRemoveApp(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	c, err := r.Start(ctx, webSpec("gone"))
	require.NoError(t, err)

	labelled := "qs-" + r.instance + "/gone:v1"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, labelled,
		map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: "gone", dockernames.LabelRelease: "1"},
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY f /f\n"), "f": []byte("app " + r.instance)}))
	unlabelled := "qs-test-" + r.instance + "/keep:v1"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, unlabelled, nil,
		map[string][]byte{"Dockerfile": []byte("FROM scratch\nCOPY f /f\n"), "f": []byte("keep " + r.instance)}))
	t.Cleanup(func() {
		_, _ = testCLI.ImageRemove(context.Background(), unlabelled, image.RemoveOptions{Force: true})
	})

	t.Run("refuses while containers are attached", func(t *testing.T) {
		err := r.RemoveApp(ctx, "gone")
		assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "err: %v", err)
	})
	require.NoError(t, r.Stop(ctx, c.ID, time.Second))
	require.NoError(t, r.RemoveApp(ctx, "gone"))

	_, err = testCLI.NetworkInspect(ctx, NetworkName(r.instance, "gone"), network.InspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "network removed: %v", err)
	_, err = testCLI.ImageInspect(ctx, labelled)
	assert.True(t, cerrdefs.IsNotFound(err), "labelled image removed: %v", err)
	_, err = testCLI.ImageInspect(ctx, unlabelled)
	assert.NoError(t, err, "unlabelled image left alone")
	_, err = testCLI.ImageInspect(ctx, testImage)
	assert.NoError(t, err, "image the containers ran left alone")

	t.Run("again is fine", func(t *testing.T) {
		assert.NoError(t, r.RemoveApp(ctx, "gone"))
	})
	t.Run("bad name", func(t *testing.T) {
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.RemoveApp(ctx, "../x")))
	})
}

func TestDaemonDown(t *testing.T) {
	cli, err := client.NewClientWithOpts(client.WithHost("unix:///nonexistent/docker.sock"), client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	r := New(cli, "deadbeef", nil)
	ctx := testCtx(t)

	calls := map[string]func() error{
		"Containers":  func() error { _, err := r.Containers(ctx, ""); return err },
		"Inspect":     func() error { _, err := r.Inspect(ctx, "x"); return err },
		"Start":       func() error { _, err := r.Start(ctx, webSpec("app")); return err },
		"Stop":        func() error { return r.Stop(ctx, "x", time.Second) },
		"Logs":        func() error { _, err := r.Logs(ctx, "x", 1); return err },
		"FollowLogs":  func() error { return r.FollowLogs(ctx, "x", time.Time{}, func(engine.LogLine) {}) },
		"Stats":       func() error { _, err := r.Stats(ctx, "x"); return err },
		"RemoveApp":   func() error { return r.RemoveApp(ctx, "app") },
		"RemoveImage": func() error { return r.RemoveImage(ctx, "qs-x/app:v1") },
		"Run": func() error {
			code, err := r.Run(ctx, webSpec("app"), nil)
			assert.Equal(t, -1, code)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "err: %v", err)
			assert.Contains(t, engine.ErrorMessage(err), "cannot reach the Docker daemon")
			assert.Contains(t, engine.ErrorMessage(err), "is dockerd running?")
		})
	}
}
