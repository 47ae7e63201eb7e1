package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store/logs"
)

// TestLogFollowersLeaveMidStream: WebSocket followers that hang up while
// the app prints are let go at the next line (well before the 20 s
// heartbeat would notice), and a follower that stays gets every line.
func TestLogFollowersLeaveMidStream(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "v1"), "app")
	pid := s.cmd.Process.Pid
	s.body("app", "/") // the proxy's connections exist before counting
	_, _, base := s.daemonMemory(pid)
	stay := s.followLive(t, "app")
	leaving := make([]*websocket.Conn, 20)
	for i := range leaving {
		leaving[i] = s.followLive(t, "app")
	}
	s.body("app", "/print?n=2000&size=100&msg=first")
	for _, c := range leaving {
		waitForLine(t, c, "first 1 ", 10*time.Second)
		require.NoError(t, c.Close()) // mid-stream: 1999 lines still to come
	}
	s.body("app", "/print?n=2000&size=100&msg=second")
	waitForLine(t, stay, "second 2000 ", 20*time.Second)
	waitFor(t, 10*time.Second, "the goroutines of the followers that left to end", func() bool {
		_, _, g := s.daemonMemory(pid)
		return g <= base+6 // the follower that stays has 3
	})
	s.body("app", "/print?n=1&msg=still-served")
	waitForLine(t, s.followLive(t, "app"), "still-served 1", 10*time.Second)
}

// TestLogLineOfSeveralMegabytes: a 3 MB line reaches followers split into
// pieces of at most engine.MaxLogLineBytes, each but the last marked as
// continued, and cut with a marker after logs.MaxLineBytes.
func TestLogLineOfSeveralMegabytes(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "v1"), "app")
	conn := s.followLive(t, "app")
	const size = 3_000_000
	s.body("app", fmt.Sprintf("/print?n=1&size=%d&msg=big", size))
	s.body("app", "/print?n=1&msg=after-big")
	pieces := piecesUntil(t, conn, "big 1 ", "after-big 1")
	require.NotEmpty(t, pieces)
	kept := 0
	for i, p := range pieces {
		assert.LessOrEqual(t, len(p), engine.MaxLogLineBytes, "piece %d", i)
		if i < len(pieces)-1 && !assert.True(t, strings.HasSuffix(p, logs.ContinuedMarker), "piece %d of %d is marked as continued", i, len(pieces)) {
			break
		}
		kept += len(strings.TrimSuffix(p, logs.ContinuedMarker))
	}
	last := pieces[len(pieces)-1]
	assert.Contains(t, last[max(0, len(last)-40):], " [truncated ", "the line is cut with a marker")
	assert.LessOrEqual(t, kept, logs.MaxLineBytes+64, "at most logs.MaxLineBytes of the line is kept")
}

// piecesUntil reads events from conn and returns the texts from the line
// that starts with first up to the one that contains end (excluded).
func piecesUntil(t *testing.T, conn *websocket.Conn, first, end string) []string {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	var pieces []string
	for {
		_, msg, err := conn.ReadMessage()
		require.NoError(t, err, "waiting for %q", end)
		text, _, _ := parseEvent(msg)
		switch {
		case strings.Contains(text, end):
			return pieces
		case pieces != nil || strings.HasPrefix(text, first):
			pieces = append(pieces, text)
		}
	}
}
