package docker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockertest"
)

// logSpec runs the test server with args as worker.2 of release 3 of app.
func logSpec(app string, args ...string) engine.ContainerSpec {
	return engine.ContainerSpec{App: app, Release: 3, Process: "worker", Replica: 2, Image: testImage,
		Cmd: append([]string{"/server"}, args...), Env: map[string]string{"PORT": "8080"}}
}

// startPlain creates and starts a container of spec with labels and the
// host settings every container gets, but no restart policy: once its
// command ends it stays exited. It returns the container's id.
func startPlain(ctx context.Context, t *testing.T, r *Runtime, spec engine.ContainerSpec, labels map[string]string) string {
	t.Helper()
	net, err := r.ensureNetwork(ctx, spec.App)
	require.NoError(t, err)
	name := containerName(r.instance, spec, randomHex(2))
	id, err := r.createContainer(ctx, name, commandConfig(spec, labels), baseHostConfig(net, spec.Limits))
	require.NoError(t, err)
	require.NoError(t, testCLI.ContainerStart(ctx, id, container.StartOptions{}))
	return id
}

// lineLog records delivered lines; it is safe to read while FollowLogs
// delivers.
type lineLog struct {
	mu    sync.Mutex
	lines []engine.LogLine
}

func (l *lineLog) deliver(line engine.LogLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *lineLog) all() []engine.LogLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]engine.LogLine(nil), l.lines...)
}

// has reports whether a line with text has been delivered.
func (l *lineLog) has(text string) bool {
	for _, line := range l.all() {
		if line.Text == text {
			return true
		}
	}
	return false
}

// follow runs FollowLogs in the background; its result arrives on the
// channel.
func follow(ctx context.Context, r *Runtime, id string, since time.Time, log *lineLog) <-chan error {
	done := make(chan error, 1)
	go func() { done <- r.FollowLogs(ctx, id, since, log.deliver) }()
	return done
}

// followAll follows a container to its end and returns its lines.
func followAll(ctx context.Context, t *testing.T, r *Runtime, id string, since time.Time) []engine.LogLine {
	t.Helper()
	log := &lineLog{}
	require.NoError(t, waitFollow(t, follow(ctx, r, id, since, log)))
	return log.all()
}

// waitFollow waits for FollowLogs to return.
func waitFollow(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(45 * time.Second):
		t.Fatal("FollowLogs did not return")
		return nil
	}
}

// textsOf is the Text of the lines of stream.
func textsOf(lines []engine.LogLine, stream string) []string {
	var out []string
	for _, l := range lines {
		if l.Stream == stream {
			out = append(out, l.Text)
		}
	}
	return out
}

func TestFollowLogs(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)

	t.Run("live lines with times, streams and labels, nil when the container exits", func(t *testing.T) {
		before := time.Now()
		id := startPlain(ctx, t, r, logSpec("logs", "-pause", "1s", "-stderr", "oops", "-lines", "3", "-exit", "0"),
			containerLabels(r.instance, logSpec("logs")))
		log := &lineLog{}
		require.NoError(t, waitFollow(t, follow(ctx, r, id, time.Time{}, log)))
		after := time.Now()
		lines := log.all()

		assert.Equal(t, []string{"line 1", "line 2", "line 3", "exiting with 0"}, textsOf(lines, engine.StreamStdout))
		assert.Equal(t, []string{"oops"}, textsOf(lines, engine.StreamStderr))
		var last time.Time
		for _, l := range lines {
			assert.Equal(t, "logs", l.App)
			assert.Equal(t, "worker", l.Process)
			assert.Equal(t, 2, l.Replica)
			assert.Equal(t, 3, l.Release)
			assert.Zero(t, l.Seq, "the store assigns Seq")
			assert.True(t, l.Time.After(before.Add(time.Second)) && l.Time.Before(after),
				"%q at %s, printed between %s (+1s pause) and %s", l.Text, l.Time, before, after)
			if l.Stream == engine.StreamStdout {
				assert.False(t, l.Time.Before(last), "stdout times never go back")
				last = l.Time
			}
		}

		t.Run("an exited container's lines again, then nil", func(t *testing.T) {
			again := followAll(ctx, t, r, id, time.Time{})
			assert.Equal(t, lines, again)
		})
	})

	t.Run("since keeps lines at or after it", func(t *testing.T) {
		id := startPlain(ctx, t, r, logSpec("logs", "-lines", "2", "-sleep", "1500ms", "-after", "late", "-exit", "0"),
			containerLabels(r.instance, logSpec("logs")))
		all := followAll(ctx, t, r, id, time.Time{})
		require.Equal(t, []string{"line 1", "line 2", "late", "exiting with 0"}, textsOf(all, engine.StreamStdout))
		late := all[2]

		lines := followAll(ctx, t, r, id, late.Time)
		assert.Equal(t, []string{"late", "exiting with 0"}, textsOf(lines, engine.StreamStdout))
		lines = followAll(ctx, t, r, id, late.Time.Add(time.Nanosecond))
		assert.Equal(t, []string{"exiting with 0"}, textsOf(lines, engine.StreamStdout))
		lines = followAll(ctx, t, r, id, time.Unix(0, 0))
		assert.Len(t, lines, 4, "1970 is no bound")
	})

	t.Run("ctx cancel ends it with ctx's error", func(t *testing.T) {
		id := startPlain(ctx, t, r, logSpec("logs"), containerLabels(r.instance, logSpec("logs")))
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		log := &lineLog{}
		done := follow(fctx, r, id, time.Time{}, log)
		require.Eventually(t, func() bool { return log.has("listening on :8080") && log.has("ready on stderr") },
			30*time.Second, 10*time.Millisecond)
		cancel()
		assert.ErrorIs(t, waitFollow(t, done), context.Canceled)
		c, err := r.Inspect(ctx, id)
		require.NoError(t, err)
		assert.True(t, c.Running, "the container goes on")
	})

	t.Run("a 100 KiB line is split, in order", func(t *testing.T) {
		id := startPlain(ctx, t, r, logSpec("logs", "-lines", "1", "-long", "102400", "-after", "done", "-exit", "0"),
			containerLabels(r.instance, logSpec("logs")))
		got := textsOf(followAll(ctx, t, r, id, time.Time{}), engine.StreamStdout)
		require.Len(t, got, 1+7+2, "line 1, 6 full pieces and the rest, done, exiting")
		assert.Equal(t, "line 1", got[0])
		pieces := append([]string{}, got[1:8]...)
		for i := range pieces[:6] {
			assert.Len(t, pieces[i], engine.MaxLogLineBytes)
			pieces[i] = strings.TrimSuffix(pieces[i], engine.LogContinuedMarker)
		}
		assert.Equal(t, dockertest.LongLine(102400), strings.Join(pieces, ""))
		assert.Equal(t, []string{"done", "exiting with 0"}, got[8:])
	})

	t.Run("binary output made printable", func(t *testing.T) {
		id := startPlain(ctx, t, r, logSpec("logs", "-raw", `a\x00b\xffc\xe2\x82\xacd\x1b[1me\tf\r\n\xf0\x9f`, "-exit", "0"),
			containerLabels(r.instance, logSpec("logs")))
		got := textsOf(followAll(ctx, t, r, id, time.Time{}), engine.StreamStdout)
		assert.Equal(t, []string{"a\uFFFDb\uFFFDc€d\x1b[1me\tf", "\uFFFD\uFFFDexiting with 0"}, got,
			"each byte of a rune cut short is a U+FFFD")
		for _, s := range got {
			assert.True(t, utf8.ValidString(s))
		}
	})

	t.Run("a one-off container is followed", func(t *testing.T) {
		spec := logSpec("logs", "-lines", "1", "-exit", "0")
		spec.Process, spec.Replica = "run", 0
		id := startPlain(ctx, t, r, spec, oneOffLabels(r.instance, spec))
		lines := followAll(ctx, t, r, id, time.Time{})
		require.NotEmpty(t, lines)
		assert.Equal(t, "line 1", lines[0].Text)
		assert.Equal(t, "run", lines[0].Process)
		assert.Equal(t, 0, lines[0].Replica)
	})

	t.Run("missing or another instance's container is ENOTFOUND", func(t *testing.T) {
		theirs := newTestRuntime(t)
		other := startPlain(ctx, t, theirs, logSpec("logs", "-exit", "0"), containerLabels(theirs.instance, logSpec("logs")))
		for _, id := range []string{"qs-no-such-container", other} {
			err := r.FollowLogs(ctx, id, time.Time{}, func(engine.LogLine) { t.Error("no line expected") })
			assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "%s: %v", id, err)
		}
	})
}

func TestFollowLogsKeepsUp(t *testing.T) {
	const n = 20000
	r := newTestRuntime(t)
	ctx := testCtx(t)
	id := startPlain(ctx, t, r, logSpec("flood", "-pause", "1s", "-lines", fmt.Sprint(n), "-exit", "0"),
		containerLabels(r.instance, logSpec("flood")))

	var first, last time.Time
	count, inOrder := 0, true
	err := r.FollowLogs(ctx, id, time.Time{}, func(l engine.LogLine) {
		if count == 0 {
			first = time.Now()
		}
		count++
		if count <= n && l.Text != fmt.Sprintf("line %d", count) {
			inOrder = false
		}
		last = time.Now()
	})
	require.NoError(t, err)
	assert.Equal(t, n+1, count, "every line and the exit message")
	assert.True(t, inOrder, "lines in order")
	live := float64(count) / last.Sub(first).Seconds()

	start := time.Now()
	replayed := followAll(ctx, t, r, id, time.Time{})
	replay := float64(len(replayed)) / time.Since(start).Seconds()
	assert.Len(t, replayed, n+1)
	t.Logf("%d lines followed live at %.0f lines/s (as fast as the container printed them); replayed at %.0f lines/s",
		count, live, replay)
}

func TestFollowLogsContainerRemoved(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	id := startPlain(ctx, t, r, logSpec("gone"), containerLabels(r.instance, logSpec("gone")))
	log := &lineLog{}
	done := follow(ctx, r, id, time.Time{}, log)
	require.Eventually(t, func() bool { return log.has("listening on :8080") }, 30*time.Second, 10*time.Millisecond)
	require.NoError(t, r.Stop(ctx, id, 0))
	assert.NoError(t, waitFollow(t, done), "a stopped and removed container ends the stream")
}
