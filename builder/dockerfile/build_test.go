package dockerfile

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

// testCtx is a context for one test.
func testCtx(t *testing.T) context.Context {
	return dockertest.Context(t, 2*time.Minute)
}

func TestBuild(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	out := newOutput("")
	img, err := b.Build(ctx, engine.BuildRequest{
		App: "shop", Release: 3, Commit: "0123456789abcdef",
		Source: newSource(t, map[string]string{"Dockerfile": dockertest.ServerDockerfile}), Output: out,
	})
	require.NoError(t, err)

	t.Run("returns the image", func(t *testing.T) {
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, img.Ref)
		assert.Equal(t, "dockerfile", img.Method)
		assert.Equal(t, 8080, img.Port)
	})
	t.Run("tags and labels it", func(t *testing.T) {
		info, err := testCLI.ImageInspect(ctx, img.Ref)
		require.NoError(t, err)
		assert.Contains(t, info.RepoTags, "qs-"+b.instance+"/shop:v3")
		assert.Equal(t, b.instance, info.Config.Labels[dockernames.LabelInstance])
		assert.Equal(t, "shop", info.Config.Labels[dockernames.LabelApp])
		assert.Equal(t, "3", info.Config.Labels[dockernames.LabelRelease])
	})
	t.Run("relays the output line by line with flushes", func(t *testing.T) {
		text := out.text()
		assert.Contains(t, text, "Step 1/")
		assert.Contains(t, text, ": FROM scratch\n")
		assert.Contains(t, text, "Successfully built")
		assert.Contains(t, text, "Successfully tagged qs-"+b.instance+"/shop:v3\n")
		for _, w := range out.writes {
			assert.True(t, strings.HasSuffix(w, "\n") && strings.Count(w, "\n") == 1, "one line per write: %q", w)
		}
		assert.Equal(t, len(out.writes), out.flushes)
	})
	t.Run("runs", func(t *testing.T) {
		addr := dockertest.RunPublished(ctx, t, testCLI, container.Config{Image: img.Ref}, img.Port)
		assert.Equal(t, "hello", dockertest.Get(t, "http://"+addr+"/"))
	})
}

func TestBuildExposedPorts(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	tests := []struct {
		name   string
		expose string
		want   int
	}{
		{"none", "", 0},
		{"two", "EXPOSE 8080 9090\n", 0},
		{"udp only", "EXPOSE 53/udp\n", 0},
		{"tcp and udp", "EXPOSE 53/udp 5000/tcp\n", 5000},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := b.Build(ctx, engine.BuildRequest{App: "ports", Release: i + 1,
				Source: newSource(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY server /server\n" + tt.expose})})
			require.NoError(t, err)
			assert.Equal(t, tt.want, img.Port)
		})
	}
}

func TestBuildWithLimits(t *testing.T) {
	b := newTestBuilder(t)
	b.Memory, b.CPUPeriod, b.CPUQuota = 64<<20, 100000, 50000
	out := newOutput("")
	removeLeftovers(t, out)
	img, err := b.Build(testCtx(t), engine.BuildRequest{App: "capped", Release: 1, Output: out,
		Source: newSource(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY server /server\nRUN [\"/server\", \"-lines\", \"2\", \"-exit\", \"0\"]\n"})})
	require.NoError(t, err, "the daemon accepts the limits and RUN steps run under them")
	assert.Contains(t, out.text(), "line 2\n")
	assert.NotEmpty(t, img.Ref)
}

func TestBuildFails(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	tests := []struct {
		name       string
		dockerfile string
		contains   []string
		absent     []string
	}{
		{"failing RUN", "FROM scratch\nCOPY server /server\nRUN [\"/server\", \"-lines\", \"25\", \"-exit\", \"3\"]\n",
			[]string{"returned a non-zero code: 3", "line 25", "exiting with 3", "Last lines of the build output"},
			[]string{"line 2\n", "Step 1/"}},
		{"failing COPY", "FROM scratch\nCOPY missing.txt /missing.txt\n",
			[]string{"file not found", ": COPY missing.txt /missing.txt"}, nil},
		{"unknown instruction", "FROM scratch\nFROBNICATE everything\n",
			[]string{"unknown instruction: frobnicate"}, []string{"Error response from daemon"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newOutput("")
			removeLeftovers(t, out)
			_, err := b.Build(ctx, engine.BuildRequest{App: "broken", Release: i + 1,
				Source: newSource(t, map[string]string{"Dockerfile": tt.dockerfile}), Output: out})
			require.Error(t, err)
			assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err), "err: %v", err)
			msg := engine.ErrorMessage(err)
			t.Logf("message:\n%s", msg)
			assert.True(t, strings.HasPrefix(msg, "Dockerfile build failed: "), msg)
			for _, s := range tt.contains {
				assert.Contains(t, strings.ToLower(msg), strings.ToLower(s))
			}
			for _, s := range tt.absent {
				assert.NotContains(t, msg, s)
			}
		})
	}
}

func TestBuildWithoutDockerfile(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	src := newSource(t, map[string]string{"Procfile": "web: ./server\n"})

	ok, err := b.Detect(ctx, src)
	require.NoError(t, err)
	assert.False(t, ok)

	_, err = b.Build(ctx, engine.BuildRequest{App: "nofile", Release: 1, Commit: "abcdef0123", Source: src})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "abcdef0 has no Dockerfile")

	ok, err = b.Detect(ctx, newSource(t, map[string]string{"Dockerfile": dockertest.ServerDockerfile}))
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestBuildCancel(t *testing.T) {
	b := newTestBuilder(t)
	token := "cancel-" + b.instance
	dockerfile := "FROM scratch\nCOPY server /server\nRUN [\"/server\", \"-lines\", \"1\", \"-sleep\", \"90s\", \"-exit\", \"0\", \"-token\", \"" + token + "\"]\n"
	out := newOutput("line 1")
	removeLeftovers(t, out)
	ctx, cancel := context.WithCancel(testCtx(t))
	errc := make(chan error, 1)
	go func() {
		_, err := b.Build(ctx, engine.BuildRequest{App: "slow", Release: 1,
			Source: newSource(t, map[string]string{"Dockerfile": dockerfile}), Output: out})
		errc <- err
	}()

	select {
	case <-out.seen: // output arrives while the build is still running
	case <-time.After(60 * time.Second):
		t.Fatalf("no live output; got %q", out.text())
	}
	cancel()
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Build did not return after cancellation")
	}
	assert.Eventually(t, func() bool { return len(containersRunning(context.Background(), t, token)) == 0 },
		30*time.Second, 200*time.Millisecond, "the build's RUN container is removed")
}

func TestBuildSourceFails(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"internal", errors.New("git archive exploded"), engine.EINTERNAL},
		{"coded", engine.Errorf(engine.ETOOLARGE, "repository too large"), engine.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := b.Build(ctx, engine.BuildRequest{App: "src", Release: 1, Source: brokenSource{tt.err}})
				done <- err
			}()
			select {
			case err := <-done:
				assert.Equal(t, tt.code, engine.ErrorCode(err), "err: %v", err)
				assert.ErrorContains(t, err, tt.err.Error())
			case <-time.After(30 * time.Second):
				t.Fatal("Build hangs when the source fails")
			}
		})
	}
}

func TestBuildDaemonDown(t *testing.T) {
	cli, err := client.NewClientWithOpts(client.WithHost("unix:///nonexistent/docker.sock"), client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	b := New(cli, "deadbeef", nil)
	_, err = b.Build(testCtx(t), engine.BuildRequest{App: "x", Release: 1,
		Source: dockertest.DirSource{Dir: t.TempDir()}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "no Dockerfile is found before the daemon is asked")

	_, err = b.Build(testCtx(t), engine.BuildRequest{App: "x", Release: 1,
		Source: newSource(t, map[string]string{"Dockerfile": dockertest.ServerDockerfile})})
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "is dockerd running?")
}

func TestBuildClearCache(t *testing.T) {
	b := newTestBuilder(t)
	ctx := testCtx(t)
	files := map[string]string{
		"Dockerfile": "FROM scratch\nCOPY server /server\nCOPY marker /marker\nCMD [\"/server\"]\n",
		"marker":     b.instance,
	}
	build := func(release int, clear bool) (*engine.Image, string) {
		out := newOutput("")
		removeLeftovers(t, out)
		img, err := b.Build(ctx, engine.BuildRequest{App: "cached", Release: release, ClearCache: clear,
			Source: newSource(t, files), Output: out})
		require.NoError(t, err)
		return img, out.text()
	}
	build(1, false)
	_, text := build(2, false)
	assert.Contains(t, text, "Using cache", "the same source again reuses the cache")
	clean, text := build(3, true)
	assert.NotContains(t, text, "Using cache", "ClearCache builds every step afresh")
	assert.Contains(t, text, "Successfully tagged qs-"+b.instance+"/cached:v3\n")
	assert.Nil(t, clean.Processes, "process types are read above the builder")
}
