package docker

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

// runSpec is a one-off spec running the test server with args as the
// process "run", replica 0, of release 1.
func runSpec(app string, args ...string) engine.ContainerSpec {
	return engine.ContainerSpec{App: app, Release: 1, Process: "run", Image: testImage,
		Cmd: append([]string{"/server"}, args...), Env: map[string]string{"PORT": "8080"}, Port: 8080}
}

// liveOutput records what Run relays; it is safe to read while Run writes.
type liveOutput struct {
	mu      sync.Mutex
	b       strings.Builder
	flushes int
}

func (o *liveOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *liveOutput) Flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushes++
}

func (o *liveOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// result is what Run returned.
type result struct {
	code int
	err  error
}

// runInBackground runs spec and delivers Run's result on the channel.
func runInBackground(ctx context.Context, r *Runtime, spec engine.ContainerSpec, out *liveOutput) <-chan result {
	done := make(chan result, 1)
	go func() {
		code, err := r.Run(ctx, spec, out)
		done <- result{code, err}
	}()
	return done
}

// waitOutput waits until out contains s.
func waitOutput(t *testing.T, out *liveOutput, s string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), s) },
		30*time.Second, 10*time.Millisecond, "output %q never came; got %q", s, out)
}

// waitResult waits for Run to return.
func waitResult(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
		return result{}
	}
}

// allContainers lists the instance's containers in any state, one-offs
// included, straight from Docker.
func allContainers(ctx context.Context, t *testing.T, r *Runtime) []container.Summary {
	list, err := testCLI.ContainerList(ctx, container.ListOptions{All: true, Filters: scope(r.instance, "")})
	require.NoError(t, err)
	return list
}

func TestRun(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"exit 0, stdout and stderr demultiplexed", []string{"-stderr", "to stderr", "-lines", "2", "-exit", "0"}, 0,
			[]string{"to stderr\n", "line 1\nline 2\nexiting with 0\n"}},
		{"exit 3", []string{"-exit", "3"}, 3, []string{"exiting with 3\n"}},
		{"env arrives", []string{"-print-env", "GREETING,PORT", "-exit", "0"}, 0,
			[]string{"GREETING=hi there\n", "PORT=8080\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := runSpec("once", tt.args...)
			spec.Env["GREETING"] = "hi there"
			out := &liveOutput{}
			code, err := r.Run(ctx, spec, out)
			require.NoError(t, err)
			assert.Equal(t, tt.code, code)
			// stdout and stderr are read apart, so their lines may interleave
			// either way: look for each stream's lines on their own.
			stdout := strings.Replace(out.String(), "to stderr\n", "", 1)
			for _, w := range tt.want {
				assert.True(t, strings.Contains(out.String(), w) || strings.Contains(stdout, w), "%q in %q", w, out.String())
			}
			assert.NotContains(t, out.String(), "\x00", "no multiplexing headers")
			assert.Positive(t, out.flushes, "flushed as it goes")
		})
	}
	t.Run("the containers are gone", func(t *testing.T) {
		assert.Empty(t, allContainers(ctx, t, r))
	})
	t.Run("a nil writer discards", func(t *testing.T) {
		code, err := r.Run(ctx, runSpec("once", "-lines", "3", "-exit", "2"), nil)
		require.NoError(t, err)
		assert.Equal(t, 2, code)
	})
}

func TestRunStreamsLive(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	out := &liveOutput{}
	done := runInBackground(ctx, r, runSpec("live", "-lines", "1", "-sleep", "3s", "-after", "second", "-exit", "0"), out)

	waitOutput(t, out, "line 1\n")
	assert.NotContains(t, out.String(), "second", "the first line arrives while the command still sleeps")
	res := waitResult(t, done)
	require.NoError(t, res.err)
	assert.Equal(t, 0, res.code)
	assert.Contains(t, out.String(), "line 1\nsecond\nexiting with 0\n")
}

func TestRunOverrides(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	tag := "qs-" + r.instance + "/entry:v1"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, tag, map[string]string{dockernames.LabelInstance: r.instance},
		map[string][]byte{"Dockerfile": []byte("FROM " + testImage + "\nENTRYPOINT [\"/server\", \"-lines\", \"1\"]\nCMD [\"-exit\", \"5\"]\n")}))
	tests := []struct {
		name       string
		entrypoint []string
		cmd        []string
		code       int
		line1      bool
	}{
		{"the image's entrypoint and command", nil, nil, 5, true},
		{"command only", nil, []string{"-exit", "6"}, 6, true},
		{"entrypoint drops the image's command", []string{"/server", "-exit", "4"}, nil, 4, false},
		{"entrypoint and command", []string{"/server"}, []string{"-exit", "3"}, 3, false},
		{"empty entrypoint clears it", []string{}, []string{"/server", "-exit", "7"}, 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := runSpec("over")
			spec.Image, spec.Entrypoint, spec.Cmd = tag, tt.entrypoint, tt.cmd
			out := &liveOutput{}
			code, err := r.Run(ctx, spec, out)
			require.NoError(t, err)
			assert.Equal(t, tt.code, code, "output: %q", out)
			assert.Equal(t, tt.line1, strings.Contains(out.String(), "line 1\n"), "output: %q", out)
		})
	}
}

func TestRunCancel(t *testing.T) {
	r := newTestRuntime(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	out := &liveOutput{}
	done := runInBackground(ctx, r, runSpec("cancel", "-lines", "1", "-sleep", "60s", "-exit", "0"), out)
	waitOutput(t, out, "line 1\n")

	begin := time.Now()
	cancel()
	res := waitResult(t, done)
	assert.ErrorIs(t, res.err, context.Canceled)
	assert.Equal(t, -1, res.code)
	assert.Less(t, time.Since(begin), 15*time.Second)
	assert.Empty(t, allContainers(testCtx(t), t, r), "killed and removed")
	assert.NotContains(t, out.String(), "exiting")
}

func TestRunFails(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	// Docker creates a container of this image but cannot start it: the
	// user does not exist in an image without /etc/passwd.
	nouser := "qs-" + r.instance + "/nouser:v1"
	require.NoError(t, dockertest.BuildImage(ctx, testCLI, nouser, map[string]string{dockernames.LabelInstance: r.instance},
		map[string][]byte{"Dockerfile": []byte("FROM " + testImage + "\nUSER nosuchuser\n")}))
	spec := func(mod func(*engine.ContainerSpec)) engine.ContainerSpec {
		s := runSpec("fails", "-exit", "0")
		mod(&s)
		return s
	}
	tests := []struct {
		name     string
		spec     engine.ContainerSpec
		code     int
		errCode  string
		contains []string
	}{
		{"missing image", spec(func(s *engine.ContainerSpec) { s.Image = "qs-test-none/missing:v1" }), -1, engine.ENOTFOUND,
			[]string{"qs-test-none/missing:v1 not found"}},
		{"command not found", spec(func(s *engine.ContainerSpec) { s.Cmd = []string{"/nope", "arg"} }), 127, engine.EINVALID,
			[]string{`cannot run "/nope": no such file or directory`}},
		{"command not on PATH", spec(func(s *engine.ContainerSpec) { s.Cmd = []string{"nope"} }), 127, engine.EINVALID,
			[]string{`cannot run "nope"`}},
		{"command not executable", spec(func(s *engine.ContainerSpec) { s.Cmd = []string{"/"} }), 126, engine.EINVALID,
			[]string{`cannot run "/": permission denied`}},
		{"container cannot start", spec(func(s *engine.ContainerSpec) { s.Image = nouser }), 125, engine.EDEPLOYFAILED,
			[]string{"Docker could not start the container: ", "nosuchuser"}},
		{"bad app", spec(func(s *engine.ContainerSpec) { s.App = "Bad/App" }), -1, engine.EINVALID, nil},
		{"bad process", spec(func(s *engine.ContainerSpec) { s.Process = "" }), -1, engine.EINVALID, nil},
		{"negative replica", spec(func(s *engine.ContainerSpec) { s.Replica = -1 }), -1, engine.EINVALID, nil},
		{"zero release", spec(func(s *engine.ContainerSpec) { s.Release = 0 }), -1, engine.EINVALID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &liveOutput{}
			code, err := r.Run(ctx, tt.spec, out)
			assert.Equal(t, tt.errCode, engine.ErrorCode(err), "err: %v", err)
			assert.Equal(t, tt.code, code)
			msg := engine.ErrorMessage(err)
			for _, s := range tt.contains {
				assert.Contains(t, msg, s)
			}
			for _, s := range []string{"tini", "Error response from daemon", "OCI"} {
				assert.NotContains(t, msg, s)
				assert.NotContains(t, out.String(), s)
			}
		})
	}
	t.Run("leaves no container behind", func(t *testing.T) {
		assert.Empty(t, allContainers(ctx, t, r))
	})
}

func TestRunOneOffIsNoAppProcess(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	web, err := r.Start(ctx, webSpec("mixed"))
	require.NoError(t, err)
	events := r.Events(ctx)
	out := &liveOutput{}
	done := runInBackground(ctx, r, runSpec("mixed", "-lines", "1", "-sleep", "60s", "-exit", "0"), out)
	waitOutput(t, out, "line 1\n")

	var oneOff string
	for _, c := range allContainers(ctx, t, r) {
		if c.ID != web.ID {
			oneOff = c.ID
		}
	}
	require.NotEmpty(t, oneOff)

	t.Run("Containers lists only the app process", func(t *testing.T) {
		for _, app := range []string{"", "mixed"} {
			cs, err := r.Containers(ctx, app)
			require.NoError(t, err)
			require.Len(t, cs, 1, "app %q", app)
			assert.Equal(t, web.ID, cs[0].ID)
		}
	})
	t.Run("Inspect finds it", func(t *testing.T) {
		c, err := r.Inspect(ctx, oneOff)
		require.NoError(t, err)
		assert.Equal(t, "mixed", c.App)
		assert.Equal(t, "run", c.Process)
		assert.Equal(t, 0, c.Replica)
		assert.True(t, c.Running)
		assert.Empty(t, c.Addr)
		assert.Regexp(t, `^qs-`+r.instance+`-mixed-run-0-v1-[0-9a-f]{8}$`, c.Name)
	})
	t.Run("is configured as promised", func(t *testing.T) {
		info, err := testCLI.ContainerInspect(ctx, oneOff)
		require.NoError(t, err)
		h := info.HostConfig
		assert.Contains(t, []container.RestartPolicyMode{"", container.RestartPolicyDisabled}, h.RestartPolicy.Name)
		assert.Empty(t, h.PortBindings)
		for port, bindings := range info.NetworkSettings.Ports {
			assert.Empty(t, bindings, "%s is not published", port)
		}
		assert.Equal(t, "json-file", h.LogConfig.Type)
		assert.Equal(t, map[string]string{"max-size": "10m", "max-file": "3"}, h.LogConfig.Config)
		require.NotNil(t, h.Init)
		assert.True(t, *h.Init)
		assert.Contains(t, h.SecurityOpt, "no-new-privileges:true")
		assert.Equal(t, NetworkName(r.instance, "mixed"), string(h.NetworkMode))
		assert.Equal(t, map[string]string{dockernames.LabelInstance: r.instance, dockernames.LabelApp: "mixed", dockernames.LabelRelease: "1",
			LabelProcess: "run", LabelReplica: "0", LabelOneOff: "true", LabelLimits: "memory=0 cpus=0 pids=0"}, info.Config.Labels)
	})
	t.Run("Stop removes it and Run returns", func(t *testing.T) {
		require.NoError(t, r.Stop(ctx, oneOff, time.Second))
		res := waitResult(t, done)
		require.NoError(t, res.err)
		assert.NotZero(t, res.code)
		list := allContainers(ctx, t, r)
		require.Len(t, list, 1)
		assert.Equal(t, web.ID, list[0].ID)
	})
	t.Run("its events are not delivered", func(t *testing.T) {
		// A later event of the web container proves the one-off's came and went.
		require.NoError(t, r.Stop(ctx, web.ID, time.Second))
		for _, ev := range waitEvent(t, events, is(engine.EventDie, web.ID)) {
			assert.NotEqual(t, oneOff, ev.Container.ID)
		}
	})
}

func TestRemoveAppRemovesOneOffs(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	out := &liveOutput{}
	done := runInBackground(ctx, r, runSpec("doomed", "-lines", "1", "-sleep", "60s", "-exit", "0"), out)
	waitOutput(t, out, "line 1\n")

	require.NoError(t, r.RemoveApp(ctx, "doomed"))
	res := waitResult(t, done)
	assert.NoError(t, res.err)
	assert.NotZero(t, res.code, "killed")
	assert.Empty(t, allContainers(ctx, t, r))
	_, err := testCLI.NetworkInspect(ctx, NetworkName(r.instance, "doomed"), network.InspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "network removed: %v", err)
}

func TestRunOutputWriterFails(t *testing.T) {
	r := newTestRuntime(t)
	code, err := r.Run(testCtx(t), runSpec("deaf", "-lines", "2000", "-exit", "4"), failingWriter{})
	require.NoError(t, err, "a writer that fails loses the output, not the run")
	assert.Equal(t, 4, code)
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, context.DeadlineExceeded }
