package cnb

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/testenv"
)

func TestTrustedBuilders(t *testing.T) {
	assert.Equal(t, []string{PublicBuilder, OfflineBuilder}, TrustedBuilders(""))
	assert.Equal(t, []string{"acme/builder:1", OfflineBuilder}, TrustedBuilders("acme/builder:1"))
	assert.Equal(t, []string{OfflineBuilder}, TrustedBuilders(OfflineBuilder))
}

func TestTrustFor(t *testing.T) {
	ctx := context.Background()
	_, cli := newFakeDaemon(t)
	t.Run("the server's builders are trusted", func(t *testing.T) {
		b := newFakeBuilder(Config{DefaultBuilder: "acme/builder:1"}, newFakeImages())
		for _, img := range []string{"acme/builder:1", OfflineBuilder} {
			tr, err := b.trustFor(ctx, img, newOutput(nil))
			require.NoError(t, err)
			assert.Equal(t, trust{trusted: true}, tr, img)
		}
	})
	t.Run("any other builder runs untrusted with the lifecycle image", func(t *testing.T) {
		b := newFakeBuilder(Config{Docker: cli}, newFakeImages(LifecycleImage))
		rec := &recorder{}
		out := newOutput(rec)
		tr, err := b.trustFor(ctx, "evil/builder:1", out)
		require.NoError(t, err)
		out.Finish()
		assert.Equal(t, trust{lifecycle: LifecycleImage}, tr)
		assert.Contains(t, rec.writes[0], "The builder evil/builder:1 is not one of this server's own builders ("+PublicBuilder+", "+OfflineBuilder+"): it runs untrusted")
		opts := b.packOptions(packRun{builder: "evil/builder:1", trust: tr})
		assert.False(t, opts.TrustBuilder("evil/builder:1"))
		assert.Equal(t, LifecycleImage, opts.LifecycleImage)
	})
	t.Run("without the lifecycle image an untrusted build is refused, never trusted", func(t *testing.T) {
		f := newFakeImages(OfflineBuilder)
		b := newFakeBuilder(Config{}, f)
		_, err := b.trustFor(ctx, "evil/builder:1", newOutput(nil))
		require.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "evil/builder:1 is not one of this server's own builders")
		assert.Contains(t, msg, "lifecycle image "+LifecycleImage+", which the Docker daemon does not have")
		assert.Contains(t, msg, "`make builder`")
		assert.Contains(t, msg, "quayside builder unset")
		assert.Empty(t, f.pulls, "the lifecycle image is never pulled")
	})
	t.Run("the server's builders run untrusted when the Docker socket is open to group root", func(t *testing.T) {
		sock := socketAt(t, 0o660)
		b := newFakeBuilder(Config{}, newFakeImages(LifecycleImage))
		b.socket = sock
		rec := &recorder{}
		out := newOutput(rec)
		tr, err := b.trustFor(ctx, OfflineBuilder, out)
		require.NoError(t, err)
		out.Finish()
		assert.Equal(t, trust{lifecycle: LifecycleImage}, tr)
		assert.Contains(t, rec.writes[0], "The Docker daemon's socket "+sock+" is open to group root or to everyone")

		b = newFakeBuilder(Config{}, newFakeImages())
		b.socket = sock
		_, err = b.trustFor(ctx, OfflineBuilder, newOutput(nil))
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "and are refused without the lifecycle image")
		assert.NotContains(t, engine.ErrorMessage(err), "quayside builder unset")
	})
	t.Run("pack's own names are refused", func(t *testing.T) {
		b := newFakeBuilder(Config{}, newFakeImages(LifecycleImage))
		_, err := b.trustFor(ctx, "pack.local/lifecycle/abc:latest", newOutput(nil))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
	t.Run("a trusted build's options", func(t *testing.T) {
		b := newFakeBuilder(Config{Docker: cli}, newFakeImages())
		opts := b.packOptions(packRun{builder: OfflineBuilder, trust: trust{trusted: true}})
		assert.True(t, opts.TrustBuilder(OfflineBuilder))
		assert.Empty(t, opts.LifecycleImage)
	})
}

func TestGivesDaemon(t *testing.T) {
	const sock = "/run/docker-alt.sock"
	for name, tc := range map[string]struct {
		cfg  container.Config
		host *container.HostConfig
		want bool
	}{
		"no host config":      {want: false},
		"volumes only":        {host: &container.HostConfig{Binds: []string{"pack-layers-x:/layers", "pack-app-x:/workspace"}}, want: false},
		"default socket bind": {host: &container.HostConfig{Binds: []string{"/var/run/docker.sock:/var/run/docker.sock"}}, want: true},
		"other socket bind":   {host: &container.HostConfig{Binds: []string{sock + ":/var/run/docker.sock"}}, want: true},
		"socket elsewhere":    {host: &container.HostConfig{Binds: []string{sock + ":/x:ro"}}, want: true},
		"any docker.sock":     {host: &container.HostConfig{Binds: []string{"/tmp/docker.sock:/d"}}, want: true},
		"socket mount":        {host: &container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeBind, Source: sock, Target: "/s"}}}, want: true},
		"DOCKER_HOST":         {cfg: container.Config{Env: []string{"A=1", "DOCKER_HOST=tcp://10.0.0.1:2375"}}, want: true},
	} {
		assert.Equal(t, tc.want, givesDaemon(&tc.cfg, tc.host, sock), name)
	}
}

func TestPackDockerGuardsTheDaemon(t *testing.T) {
	f, cli := newFakeDaemon(t)
	ctx := context.Background()
	withSocket := &container.HostConfig{Binds: []string{"/var/run/docker.sock:/var/run/docker.sock"}}

	d := newPackDocker(cli, 0, nil)
	d.guardDaemon("/var/run/docker.sock")
	_, err := d.ContainerCreate(ctx, &container.Config{Image: "evil/builder:1"}, withSocket, nil, nil, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused to give the Docker daemon to a container of evil/builder:1")
	_, sent := f.request("POST /containers/create")
	assert.False(t, sent, "the container was never asked for")

	_, err = d.ContainerCreate(ctx, &container.Config{Image: "evil/builder:1"}, &container.HostConfig{Binds: []string{"v:/layers"}}, nil, nil, "")
	require.NoError(t, err, "the builder image runs without the daemon")
	_, err = d.ContainerCreate(ctx, &container.Config{Image: "pack.local/lifecycle/0a1b2c:latest"}, withSocket, nil, nil, "")
	require.NoError(t, err, "the lifecycle image's phases get the daemon")

	trusted := newPackDocker(cli, 0, nil)
	_, err = trusted.ContainerCreate(ctx, &container.Config{Image: OfflineBuilder}, withSocket, nil, nil, "")
	require.NoError(t, err, "a trusted build's creator gets the daemon")
}

// socketAt makes a unix socket with mode in a temporary directory; its
// group is the test's (root's when run as root, as here).
func socketAt(t *testing.T, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	require.NoError(t, os.Chmod(path, mode))
	return path
}

func TestSocketOpen(t *testing.T) {
	if os.Getgid() != 0 {
		testenv.RequireOrSkip(t, "the sockets made here belong to group root only when the test runs as root")
	}
	assert.True(t, socketOpen(socketAt(t, 0o660)), "group root may use it")
	assert.True(t, socketOpen(socketAt(t, 0o666)), "everyone may use it")
	assert.False(t, socketOpen(socketAt(t, 0o600)), "only its owner may")
	other := socketAt(t, 0o660)
	require.NoError(t, os.Chown(other, 0, 105))
	assert.False(t, socketOpen(other), "a docker group of its own")
	assert.False(t, socketOpen(""), "no socket")
	assert.False(t, socketOpen(filepath.Join(t.TempDir(), "missing.sock")))
}
