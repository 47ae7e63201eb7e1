package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// serveProxy serves p with the server NewServer makes, adjusted by tune,
// on 127.0.0.1 and returns its address.
func serveProxy(t *testing.T, p *Proxy, tune func(*http.Server)) string {
	t.Helper()
	srv := NewServer("127.0.0.1:0", p)
	if tune != nil {
		tune(srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// bodyRecorder is a raw backend that records the body of every request.
type bodyRecorder struct {
	*rawBackend
	mu     sync.Mutex
	bodies []string
}

func startBodyRecorder(t *testing.T) *bodyRecorder {
	br := &bodyRecorder{}
	br.rawBackend = startRawBackend(t, func(c net.Conn, _, _ int, r *http.Request) bool {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		br.mu.Lock()
		rec := r.Method + " " + r.URL.Path + " " + string(b)
		if v, ok := r.Header["X-A"]; ok {
			rec += fmt.Sprintf(" X-A=%q", v)
		}
		br.bodies = append(br.bodies, rec)
		br.mu.Unlock()
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		return true
	})
	return br
}

func (br *bodyRecorder) seenBodies() []string {
	br.mu.Lock()
	defer br.mu.Unlock()
	return append([]string(nil), br.bodies...)
}

// rawExchange sends raw to addr and returns everything the proxy answers
// until it closes the connection or a second passes in silence.
func rawExchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, raw)
	require.NoError(t, err)
	var out strings.Builder
	buf := make([]byte, 4096)
	for {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(time.Second)))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

func TestBadClientInput(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	be := startBodyRecorder(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})

	t.Run("Content-Length with Transfer-Encoding is framed by the chunked coding", func(t *testing.T) {
		before := len(be.seenBodies())
		out := rawExchange(t, addr, "POST /first HTTP/1.1\r\nHost: s.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: s.test\r\n\r\n")
		bodies := be.seenBodies()[before:]
		require.NotEmpty(t, bodies)
		assert.Equal(t, "POST /first ", bodies[0], "the backend got the body the proxy parsed, not 5 bytes of the next request")
		for _, b := range bodies[1:] {
			assert.Equal(t, "GET /smuggled ", b, "a following request reaches the backend only as its own request")
		}
		assert.True(t, strings.HasPrefix(out, "HTTP/1.1 200 OK"), out)
	})

	t.Run("a folded header line reaches the backend unfolded", func(t *testing.T) {
		before := len(be.seenBodies())
		out := rawExchange(t, addr, "GET /fold HTTP/1.1\r\nHost: s.test\r\nX-A: 1\r\n folded\r\nConnection: close\r\n\r\n")
		assert.True(t, strings.HasPrefix(out, "HTTP/1.1 200 OK"), out)
		assert.Equal(t, []string{`GET /fold  X-A=["1 folded"]`}, be.seenBodies()[before:])
	})

	for _, tc := range []struct {
		name, raw, status string
	}{
		{"two different Content-Length", "POST / HTTP/1.1\r\nHost: s.test\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400"},
		{"unknown transfer coding", "POST / HTTP/1.1\r\nHost: s.test\r\nTransfer-Encoding: gzip\r\n\r\nabcd", "501"},
		{"chunked that is not last", "POST / HTTP/1.1\r\nHost: s.test\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", "501"},
		{"space before the colon", "GET / HTTP/1.1\r\nHost: s.test\r\nX-A : 1\r\n\r\n", "400"},
		{"oversized headers", "GET / HTTP/1.1\r\nHost: s.test\r\nX-Big: " + strings.Repeat("a", ServerMaxHeaderBytes+8192) + "\r\n\r\n", "431"},
		{"oversized request line", "GET /" + strings.Repeat("a", ServerMaxHeaderBytes+8192) + " HTTP/1.1\r\nHost: s.test\r\n\r\n", "431"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(be.seenBodies())
			out := rawExchange(t, addr, tc.raw)
			assert.True(t, strings.HasPrefix(out, "HTTP/1.1 "+tc.status), "answer: %.80q", out)
			assert.Len(t, be.seenBodies(), before, "nothing reached the backend")
		})
	}
}

func TestSlowClientIsCutOff(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	// NewServer's ReadHeaderTimeout, shortened so the test is quick.
	addr := serveProxy(t, p, func(s *http.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	be := startBodyRecorder(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})

	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, bufio.NewReader(c))
	}()
	head := "GET / HTTP/1.1\r\nHost: s.test\r\nX-Slow: " + strings.Repeat("s", 100)
	for i := 0; i < len(head); i++ {
		if _, err := c.Write([]byte{head[i]}); err != nil {
			break // cut off
		}
		select {
		case <-closed:
		case <-time.After(20 * time.Millisecond):
			continue
		}
		break
	}
	within(t, closed, 5*time.Second, "the proxy to close the trickling connection")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Empty(t, be.seenBodies(), "nothing reached the backend")
}
