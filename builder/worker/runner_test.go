package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/syncbuf"
)

// testRunner runs the test binary as a child in mode.
func testRunner(mode string, extraEnv ...string) *Runner {
	env := append(os.Environ(), childModeEnv+"="+mode)
	return &Runner{Path: os.Args[0], Env: append(env, extraEnv...), Grace: 5 * time.Second}
}

// tarSource is an engine.Source whose archive is fixed bytes.
type tarSource struct{ data []byte }

func (s tarSource) Archive(_ context.Context, w io.Writer) error {
	_, err := w.Write(s.data)
	return err
}

func (s tarSource) ReadFile(context.Context, string) ([]byte, error) { return nil, nil }

// flushBuffer is an output that the test reads while the build writes,
// counting its flushes.
type flushBuffer struct {
	syncbuf.Buffer
	flushes atomic.Int32
}

func (s *flushBuffer) Flush() { s.flushes.Add(1) }

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBuildInChild(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	src := bytes.Repeat([]byte("x"), 300<<10) // larger than a pipe's buffer
	req := engine.BuildRequest{App: "shop", Release: 7, Commit: "abc123", Source: tarSource{src},
		Options: map[string]string{"clear-cache": ""}, ClearCache: true, BuilderImage: "example/builder", Output: out}
	img, err := testRunner("ok").Build(context.Background(), map[string]string{"k": "v"}, req)
	require.NoError(t, err)
	assert.Equal(t, "buildpacks", img.Method)
	assert.Equal(t, 8080, img.Port)
	assert.Equal(t, []engine.Process{{Type: "web", Entrypoint: []string{"/cnb/process/web"}}}, img.Processes)

	var got engine.BuildRequest
	require.NoError(t, json.Unmarshal([]byte(img.Ref), &got), "the fake child returns the request it received as the image ref")
	want := req
	want.Source, want.Output = nil, nil
	assert.Equal(t, want, got, "every field but Source and Output reaches the child")
	assert.Contains(t, out.String(), "source 307200 bytes\n", "the whole archive reaches the child")
	assert.True(t, strings.HasSuffix(out.String(), "no newline at the end\n"), "an unterminated last line is relayed: %q", out.String())
	assert.GreaterOrEqual(t, out.flushes.Load(), int32(3), "each line is flushed")
}

// TestEveryRequestFieldTravels fills every field of engine.BuildRequest
// (but Source and Output) with random values and checks that the child
// decodes the same request: a field added later flows to the child
// without more wiring, or this test says why it cannot.
func TestEveryRequestFieldTravels(t *testing.T) {
	t.Parallel()
	for range 20 {
		var req engine.BuildRequest
		v := reflect.ValueOf(&req).Elem()
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Name == "Source" || f.Name == "Output" {
				continue
			}
			rv, ok := quick.Value(f.Type, randSource)
			require.True(t, ok, "cannot make a value of BuildRequest.%s (%s): can it travel as JSON?", f.Name, f.Type)
			v.Field(i).Set(rv)
		}
		in, err := encodeRequest(nil, req)
		require.NoError(t, err)
		var got request
		require.NoError(t, json.Unmarshal(in, &got))
		assert.Equal(t, req, got.Build)
		assert.Equal(t, os.Getpid(), got.Parent)
	}
}

func TestFailureKeepsCodeAndMessage(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	_, err := testRunner("fail").Build(context.Background(), nil, engine.BuildRequest{App: "a", Output: out})
	require.Error(t, err)
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
	assert.Equal(t, "buildpacks: a buildpack failed", engine.ErrorMessage(err))
	assert.Equal(t, "build image: buildpacks: a buildpack failed", err.Error(), "the whole chain's text travels, for the log")
	assert.Equal(t, "exit status 51", engine.ErrorDetail(err), "the technical cause travels for the release output")
	var e *engine.Error
	assert.True(t, errors.As(err, &e))
}

func TestPlainErrorKeepsItsText(t *testing.T) {
	t.Parallel()
	_, err := testRunner("plain").Build(context.Background(), nil, engine.BuildRequest{App: "a"})
	require.EqualError(t, err, "make pack client: boom")
	assert.Equal(t, engine.EINTERNAL, engine.ErrorCode(err))
}

func TestCrashIsAClearFailure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ mode, says string }{
		{"crash", "exited with status 2"},
		{"oom", "SIGKILL"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			out := &flushBuffer{}
			start := time.Now()
			_, err := testRunner(c.mode).Build(context.Background(), nil, engine.BuildRequest{App: "a", Output: out})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second, "a crashed build never hangs")
			assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
			msg := engine.ErrorMessage(err)
			assert.Contains(t, msg, "the build stopped unexpectedly")
			assert.Contains(t, msg, c.says)
			assert.Contains(t, msg, "Last lines of the build output:\n")
			assert.Contains(t, msg, "about to")
		})
	}
}

func TestCancelStopsTheChild(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := testRunner("slow").Build(ctx, nil, engine.BuildRequest{App: "a", Output: out})
		done <- err
	}()
	waitFor(t, 10*time.Second, "the child's first lines, live", func() bool { return strings.Contains(out.String(), "started") })
	pid, ok := pidFrom(out.String())
	require.True(t, ok)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "build image: context canceled", err.Error())
	case <-time.After(10 * time.Second):
		t.Fatal("Build did not return after its context was cancelled")
	}
	assert.True(t, gone(pid), "the child has exited when Build returns")
}

func TestChildDeafToSIGTERMIsKilled(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	r := testRunner("deaf")
	r.Grace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.Build(ctx, nil, engine.BuildRequest{App: "a", Output: out})
		done <- err
	}()
	waitFor(t, 10*time.Second, "the child to start", func() bool { return strings.Contains(out.String(), "started") })
	pid, _ := pidFrom(out.String())
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("a child that ignores SIGTERM was not killed")
	}
	assert.True(t, gone(pid))
}

// TestChildStopsItselfAfterGrace: a build that does not end after SIGTERM
// (here: blocked for good) does not keep its process alive.
func TestChildStopsItselfAfterGrace(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	r := testRunner("stuck", "QS_WORKER_TEST_GRACE=300ms")
	r.Grace = time.Minute // the parent would wait long: the child must not need it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.Build(ctx, nil, engine.BuildRequest{App: "a", Output: out})
		done <- err
	}()
	waitFor(t, 10*time.Second, "the child to start", func() bool { return strings.Contains(out.String(), "started") })
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(20 * time.Second):
		t.Fatal("a stuck child did not exit after its grace period")
	}
}

// TestChildDiesWithItsParent kills a parent with SIGKILL during a build
// and checks that its child does not linger.
func TestChildDiesWithItsParent(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childModeEnv+"=parent")
	out := &flushBuffer{}
	cmd.Stdout = out
	require.NoError(t, cmd.Start())
	waitFor(t, 10*time.Second, "the child to start", func() bool { return strings.Contains(out.String(), "started") })
	pid, ok := pidFrom(out.String())
	require.True(t, ok)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	waitFor(t, 10*time.Second, "the orphaned child to exit", func() bool { return gone(pid) })
}

func TestStartFailure(t *testing.T) {
	t.Parallel()
	r := &Runner{Path: "/nonexistent/quayside"}
	_, err := r.Build(context.Background(), nil, engine.BuildRequest{App: "a"})
	require.ErrorContains(t, err, "start build worker")
}

func TestUnencodableConfig(t *testing.T) {
	t.Parallel()
	_, err := testRunner("ok").Build(context.Background(), func() {}, engine.BuildRequest{App: "a"})
	require.ErrorContains(t, err, "encode build worker config")
}

func TestChildLogsReachTheParentLog(t *testing.T) {
	t.Parallel()
	var logs syncbuf.Buffer
	r := testRunner("ok")
	r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	_, err := r.Build(context.Background(), map[string]string{"k": "v"}, engine.BuildRequest{App: "a", Source: tarSource{}})
	require.NoError(t, err)
	assert.Contains(t, logs.String(), `level=INFO msg="fake builder made" config="{\"k\":\"v\"}"`)
}

func TestLogRelay(t *testing.T) {
	var logs bytes.Buffer
	l := &logRelay{log: slog.New(slog.NewTextHandler(&logs, nil))}
	_, _ = l.Write([]byte(`{"time":"x","level":"WARN","msg":"disk low","free":3}` + "\n" + "panic: oh"))
	_, _ = l.Write([]byte("\n" + strings.Repeat("y", maxLogLine+10)))
	out := logs.String()
	assert.Contains(t, out, `level=WARN msg="disk low" free=3`)
	assert.NotContains(t, out, "time=x")
	assert.Contains(t, out, `level=WARN msg="build worker output" line="panic: oh"`)
	assert.Equal(t, 3, strings.Count(out, "\n"), "a line past the cap is logged in parts: %s", out)
}

func TestChildEnv(t *testing.T) {
	env := ChildEnv([]string{"PATH=/bin", "HOME=/root", "DOCKER_HOST=unix:///x.sock", "GOMAXPROCS=2",
		"QUAYSIDE_BACKUP_KEY=secret", "QUAYSIDE_DATA=/var/lib/quayside", "AWS_SECRET_ACCESS_KEY=k", "SSH_AUTH_SOCK=/s"})
	assert.Equal(t, []string{"PATH=/bin", "HOME=/root", "DOCKER_HOST=unix:///x.sock", "GOMAXPROCS=2"}, env)
}

// failingSource writes part of an archive and fails.
type failingSource struct{ err error }

func (s failingSource) Archive(_ context.Context, w io.Writer) error {
	_, _ = w.Write([]byte("partial"))
	return s.err
}

func (s failingSource) ReadFile(context.Context, string) ([]byte, error) { return nil, nil }

// TestArchiveFailureIsTheError: a source that cannot be archived for a
// reason it explains to users fails the build with that message, as a build
// in the daemon's process does, not with what the child made of the
// truncated tree.
func TestArchiveFailureIsTheError(t *testing.T) {
	t.Parallel()
	tooLarge := engine.Errorf(engine.ETOOLARGE, "the pushed tree is too large")
	_, err := testRunner("read").Build(context.Background(), nil, engine.BuildRequest{App: "a", Source: failingSource{tooLarge}})
	assert.Equal(t, engine.ETOOLARGE, engine.ErrorCode(err))
	assert.Equal(t, "the pushed tree is too large", engine.ErrorMessage(err))

	_, err = testRunner("read").Build(context.Background(), nil, engine.BuildRequest{App: "a", Source: failingSource{errors.New("git archive: signal: broken pipe")}})
	assert.EqualError(t, err, "extract source: unexpected EOF", "other archive errors are what the child's stop did to git")

	_, err = testRunner("fail").Build(context.Background(), nil, engine.BuildRequest{App: "a", Source: failingSource{tooLarge}})
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err), "the build's own message comes first")

	_, err = testRunner("read").Build(context.Background(), nil, engine.BuildRequest{App: "a", Source: tarSource{[]byte("x")}})
	assert.EqualError(t, err, "extract source: unexpected EOF", "a source archived in full leaves the child's error")
}

// A build's output cannot forge the child's result: whatever it prints,
// results of the protocol included, travels as output lines, and the
// build's own result stands.
func TestBuildOutputCannotForgeTheResult(t *testing.T) {
	t.Parallel()
	out := &flushBuffer{}
	img, err := testRunner("forge").Build(context.Background(), nil, engine.BuildRequest{App: "shop", Output: out})
	assert.Nil(t, img)
	assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
	assert.Equal(t, "the build failed", engine.ErrorMessage(err))
	assert.Contains(t, out.String(), `{"image":{"ref":"forged-line"}}`+"\n", "relayed as text")
	assert.Contains(t, out.String(), `{"image":{"ref":"forged-partial"}}`+"\n")
}
