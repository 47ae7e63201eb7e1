package proxy

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// within fails the test unless ch yields before the deadline.
func within[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		require.FailNow(t, "timed out waiting for "+what)
		var zero T
		return zero
	}
}

func TestStreaming(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	c := newClient()

	for _, tc := range []struct{ name, contentType string }{
		{"chunked", "text/plain"},
		{"server-sent events", "text/event-stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			be := startBackend(t, "stream", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				_, _ = io.WriteString(w, "data: first\n\n")
				w.(http.Flusher).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				_, _ = io.WriteString(w, "data: second\n\n")
			})
			p.SetRoute(engine.Route{App: "stream", Hosts: []string{"stream.example.test"}, Backends: []string{addrOf(be)}})

			req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			req.Host = "stream.example.test"
			res, err := c.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, tc.contentType, res.Header.Get("Content-Type"))

			lines := make(chan string, 4)
			go func() {
				sc := bufio.NewScanner(res.Body)
				for sc.Scan() {
					if sc.Text() != "" {
						lines <- sc.Text()
					}
				}
				close(lines)
			}()
			assert.Equal(t, "data: first", within(t, lines, 5*time.Second, "the first chunk"))
			close(release)
			assert.Equal(t, "data: second", within(t, lines, 5*time.Second, "the second chunk"))
		})
	}
}

func TestRequestBodyStreaming(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	got := make(chan string, 1)
	be := startBackend(t, "upload", func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- string(buf)
		rest, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, string(buf)+string(rest))
	})
	p.SetRoute(engine.Route{App: "upload", Hosts: []string{"upload.example.test"}, Backends: []string{addrOf(be)}})

	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, srv.URL, pr)
	require.NoError(t, err)
	req.Host = "upload.example.test"
	done := make(chan response, 1)
	go func() {
		res, err := newClient().Do(req)
		if err != nil {
			done <- response{status: -1, body: err.Error()}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		done <- response{status: res.StatusCode, body: string(b)}
	}()

	_, err = io.WriteString(pw, "part1")
	require.NoError(t, err)
	assert.Equal(t, "part1", within(t, got, 5*time.Second, "the backend to see the first part while the client still sends"))
	_, err = io.WriteString(pw, "-part2")
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	r := within(t, done, 5*time.Second, "the response")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "part1-part2", r.body)
}

func TestWebSocket(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	upgrader := websocket.Upgrader{}
	be := startBackend(t, "ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, http.Header{"X-Seen-Host": {r.Host}})
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			mt, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if err := conn.WriteMessage(mt, append([]byte("echo: "), msg...)); err != nil {
				return
			}
		}
	})
	p.SetRoute(engine.Route{App: "ws", Hosts: []string{"ws.example.test"}, Backends: []string{addrOf(be)}})
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/socket"

	t.Run("echo both ways", func(t *testing.T) {
		conn, res, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Host": {"ws.example.test"}})
		require.NoError(t, err)
		defer conn.Close()
		assert.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)
		assert.Equal(t, "ws.example.test", res.Header.Get("X-Seen-Host"))
		for _, msg := range []string{"hello", "world", strings.Repeat("x", 100_000)} {
			require.NoError(t, conn.SetWriteDeadline(time.Now().Add(5*time.Second)))
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(msg)))
			_, got, err := conn.ReadMessage()
			require.NoError(t, err)
			assert.Equal(t, "echo: "+msg, string(got))
		}
	})

	t.Run("open socket counts as in flight", func(t *testing.T) {
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Host": {"ws.example.test"}})
		require.NoError(t, err)
		ctx, cancel := contextWithTimeout(t, 100*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, p.Drain(ctx, addrOf(be)), ctx.Err())
		require.NoError(t, conn.Close())
		ctx2, cancel2 := contextWithTimeout(t, 5*time.Second)
		defer cancel2()
		assert.NoError(t, p.Drain(ctx2, addrOf(be)))
	})

	t.Run("unknown host is refused", func(t *testing.T) {
		_, res, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Host": {"nope.example.test"}})
		require.Error(t, err)
		require.NotNil(t, res)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}
