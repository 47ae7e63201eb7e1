package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api"
)

// followLogs opens the logs WebSocket of app on the control socket.
func (s *server) followLogs(t *testing.T, app string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, "unix", filepath.Join(s.data, "control.sock"))
	}}
	conn, resp, err := d.Dial("ws://quayside/api/v1/apps/"+app+"/logs/ws?n=0", http.Header{})
	if resp != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitForLine reads ws events until one line contains want, or the deadline.
func waitForLine(t *testing.T, conn *websocket.Conn, want string, within time.Duration) api.LogLine {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(within)))
	for {
		var ev api.LogEvent
		require.NoError(t, conn.ReadJSON(&ev), "waiting for %q", want)
		if ev.Line != nil && strings.Contains(ev.Line.Text, want) {
			return *ev.Line
		}
	}
}

func TestLogs(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "v1"), "app")

	t.Run("a WebSocket follower gets each line within a second", func(t *testing.T) {
		conn := s.followLogs(t, "app")
		for i := range 5 {
			marker := fmt.Sprintf("marker-%d", i)
			s.body("app", "/print?n=1&msg="+marker)
			l := waitForLine(t, conn, marker+" 1", time.Second)
			assert.Equal(t, "web", l.Process)
			assert.Equal(t, 1, l.Replica)
			assert.Equal(t, 1, l.Release)
			assert.Equal(t, "stdout", l.Stream)
		}
	})
	t.Run("history survives a redeploy and a daemon restart", func(t *testing.T) {
		s.body("app", "/print?n=3&msg=before-redeploy")
		waitFor(t, 5*time.Second, "the line in the history", func() bool {
			return strings.Contains(s.mustCLI("logs", "app", "-n", "1000"), "before-redeploy 3")
		})
		repo := sampleRepo(t, "v2")
		_, err := s.push(repo, "app", "--force")
		require.NoError(t, err)
		s.stop(os.Interrupt)
		s.start()
		out := s.mustCLI("logs", "app", "-n", "1000")
		assert.Contains(t, out, "before-redeploy 3")
		assert.Contains(t, out, "app[web.1]:")
		assert.Contains(t, out, "[deploy.succeeded]", "platform events are in the stream")
		web := s.mustCLI("logs", "app", "-n", "1000", "--process", "web")
		assert.NotContains(t, web, "[deploy.succeeded]")
	})
	t.Run("bad queries are refused", func(t *testing.T) {
		for _, args := range [][]any{
			{"logs", "app", "--process", "nope"},
			{"logs", "app", "--since=-5m"},
			{"logs", "app", "--since", "yesterday"},
			{"logs", "app", "-n=-1"},
			{"logs", "app", "-n", "999999999"},
		} {
			code, out := s.exitStatus(args...)
			assert.Equal(t, 2, code, "%v: %s", args, out)
		}
	})
	t.Run("events are listed", func(t *testing.T) {
		out := s.mustCLI("events", "app")
		assert.Contains(t, out, "deploy.succeeded")
		assert.Contains(t, out, "deploy.started")
	})
}

func TestLogCapIsEnforced(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--log-max-size", "1MiB")
	s.mustPush(sampleRepo(t, "v1"), "app")
	s.body("app", "/print?n=1&msg=first-line")
	for i := range 6 {
		s.body("app", fmt.Sprintf("/print?n=1000&size=500&msg=bulk%d", i))
	}
	waitFor(t, 20*time.Second, "the last bulk line in the history", func() bool {
		return strings.Contains(s.mustCLI("logs", "app", "-n", "5"), "bulk5 1000")
	})
	s.stop(os.Interrupt) // flushes
	size := dirSize(t, filepath.Join(s.data, "logs", "app"))
	assert.LessOrEqual(t, size, int64(1<<20), "the app's history stays within the cap")
	assert.Greater(t, size, int64(512<<10))
	s.start()
	assert.NotContains(t, s.mustCLI("logs", "app", "-n", "100000"), "first-line", "the oldest lines went first")
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		total += info.Size()
	}
	return total
}
