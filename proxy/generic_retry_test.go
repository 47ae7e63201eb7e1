package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// These tests drive the generic path's retry (retry.go): a request the
// lean path does not take (an upgrade, a body) whose backend refuses the
// connection or drops it. Each checks that every request is released, so
// that a Drain does not wait forever.

const retriedMsg = "backend refused connection, retrying"

// allReleased waits until no backend has a request in flight, then drains
// addrs, each within a few seconds.
func allReleased(t *testing.T, p *Proxy, addrs ...string) {
	t.Helper()
	eventually(t, 5*time.Second, "every request to be released", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, b := range p.backends {
			if b.inflight.Load() != 0 {
				return false
			}
		}
		return true
	})
	for _, a := range addrs {
		ctx, cancel := contextWithTimeout(t, 5*time.Second)
		require.NoError(t, p.Drain(ctx, a), "drain %s", a)
		cancel()
	}
}

// startUpgradeEcho starts a backend that switches every request to an
// echo protocol: it answers 101 and sends back whatever arrives.
func startUpgradeEcho(t *testing.T) *rawBackend {
	return startRawBackend(t, func(c net.Conn, _, _ int, r *http.Request) bool {
		_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_, _ = io.Copy(c, c)
		return false
	})
}

func TestGenericRetryOfAnUpgrade(t *testing.T) {
	log, logs := newCountingLogger()
	p := New(Options{Logger: log})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	live, dead := startUpgradeEcho(t), deadAddr(t)
	p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{dead, live.addr}})

	for i := range 2 { // round robin: one of the two starts on the dead backend
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: r.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusSwitchingProtocols, res.StatusCode, "request %d", i)
		_, err = io.WriteString(c, "ping")
		require.NoError(t, err)
		got := make([]byte, 4)
		_, err = io.ReadFull(br, got)
		require.NoError(t, err)
		assert.Equal(t, "ping", string(got), "the retried upgrade carries data both ways")
		require.NoError(t, c.Close())
	}
	assert.Equal(t, 1, logs.count(retriedMsg), "one of the two upgrades was retried")
	allReleased(t, p, live.addr, dead)
}

func TestGenericRetryOfAPlainAnswer(t *testing.T) {
	log, logs := newCountingLogger()
	p, srv := newTestProxy(t, Options{Logger: log})
	live, dead := startBackend(t, "live", nil), deadAddr(t)
	p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{dead, addrOf(live)}})
	c := newClient()
	for range 4 {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		req.Host = "r.test"
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "echo") // generic path; the backend does not switch
		res, err := c.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "live", string(b))
	}
	assert.Equal(t, 2, logs.count(retriedMsg))
	allReleased(t, p, addrOf(live), dead)
}

// TestGenericPathBackendClosesFirstConnection: a backend that drops its
// first connection without answering fails that request (502: it is not
// replayed) and no other; nothing stays in flight.
func TestGenericPathBackendClosesFirstConnection(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	be := startRawBackend(t, func(c net.Conn, conn, _ int, r *http.Request) bool {
		if conn == 1 {
			return false // close without a word
		}
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		return true
	})
	p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{be.addr}})
	c := newClient()
	first := do(t, c, http.MethodPost, srv.URL, "r.test", strings.NewReader("one"))
	assert.Equal(t, http.StatusBadGateway, first.status)
	assertBland(t, first, be.addr)
	second := do(t, c, http.MethodPost, srv.URL, "r.test", strings.NewReader("two"))
	assert.Equal(t, http.StatusOK, second.status)
	assert.Equal(t, "ok", second.body)
	allReleased(t, p, be.addr)
}
