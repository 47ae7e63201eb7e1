package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestLeanEligible(t *testing.T) {
	tests := []struct {
		name   string
		method string
		body   string
		header http.Header
		want   bool
	}{
		{name: "GET", method: http.MethodGet, want: true},
		{name: "HEAD", method: http.MethodHead, want: true},
		{name: "DELETE", method: http.MethodDelete, want: true},
		{name: "OPTIONS", method: http.MethodOptions, want: true},
		{name: "PUT without body", method: http.MethodPut, want: true},
		{name: "POST without body is not idempotent", method: http.MethodPost},
		{name: "PATCH", method: http.MethodPatch},
		{name: "GET with a body", method: http.MethodGet, body: "x"},
		{name: "PUT with a body", method: http.MethodPut, body: "x"},
		{name: "WebSocket upgrade", method: http.MethodGet, header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}},
		{name: "Expect", method: http.MethodGet, header: http.Header{"Expect": {"100-continue"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(tt.method, "http://a.test/", body)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			assert.Equal(t, tt.want, leanEligible(r))
		})
	}
}

// backendOf returns the proxy's backend for addr.
func backendOf(p *Proxy, addr string) *backend {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.backends[addr]
}

func TestLeanPool(t *testing.T) {
	t.Run("sequential requests reuse one connection", func(t *testing.T) {
		p, srv := newTestProxy(t, Options{})
		rb := startRawBackend(t, answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false))
		p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test"}, Backends: []string{rb.addr}})
		c := newClient()
		for range 20 {
			assert.Equal(t, "ok", get(t, c, srv.URL, "a.test").body)
		}
		assert.EqualValues(t, 1, rb.conns.Load())
		assert.EqualValues(t, 20, rb.requests.Load())
		assert.Equal(t, 1, backendOf(p, rb.addr).pool.size())
	})

	t.Run("concurrent requests open more, the pool keeps at most MaxIdleConnsPerHost", func(t *testing.T) {
		p, srv := newTestProxy(t, Options{MaxIdleConnsPerHost: 3})
		const n = 8
		var arrived sync.WaitGroup
		arrived.Add(n)
		be, opened, closed := startCountingBackend(t, func(w http.ResponseWriter, r *http.Request) {
			arrived.Done()
			arrived.Wait() // all n requests are in flight at once
			_, _ = io.WriteString(w, "b")
		})
		p.SetRoute(engine.Route{App: "b", Hosts: []string{"b.test"}, Backends: []string{addrOf(be)}})
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { assert.Equal(t, "b", get(t, newClient(), srv.URL, "b.test").body) })
		}
		wg.Wait()
		assert.Equal(t, n, opened.get())
		assert.Equal(t, 3, backendOf(p, addrOf(be)).pool.size())
		eventually(t, 5*time.Second, "the surplus connections to close", func() bool { return closed.get() == n-3 })
	})

	t.Run("idle connections close after IdleConnTimeout", func(t *testing.T) {
		p, srv := newTestProxy(t, Options{IdleConnTimeout: 50 * time.Millisecond})
		be, _, closed := startCountingBackend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "c") })
		p.SetRoute(engine.Route{App: "c", Hosts: []string{"c.test"}, Backends: []string{addrOf(be)}})
		get(t, newClient(), srv.URL, "c.test")
		eventually(t, 5*time.Second, "the idle connection to close", func() bool { return closed.get() == 1 })
		assert.Zero(t, backendOf(p, addrOf(be)).pool.size())
		assert.Zero(t, p.conns.count(addrOf(be)))
		assert.Equal(t, "c", get(t, newClient(), srv.URL, "c.test").body, "a new connection is dialled")
	})

	t.Run("Close closes idle connections", func(t *testing.T) {
		p, srv := newTestProxy(t, Options{})
		be := startBackend(t, "d", nil)
		p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.test"}, Backends: []string{addrOf(be)}})
		get(t, newClient(), srv.URL, "d.test")
		require.Equal(t, 1, p.conns.count(addrOf(be)))
		require.NoError(t, p.Close())
		assert.Zero(t, p.conns.count(addrOf(be)))
		assert.Equal(t, "d", get(t, newClient(), srv.URL, "d.test").body, "the proxy stays usable")
	})
}

// startCountingBackend starts an httptest backend that counts the
// connections it opened and closed.
func startCountingBackend(t *testing.T, h http.HandlerFunc) (srv *httptest.Server, opened, closed *atomicCounter) {
	opened, closed = &atomicCounter{}, &atomicCounter{}
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.add()
		case http.StateClosed:
			closed.add()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, opened, closed
}

type atomicCounter struct {
	mu sync.Mutex
	n  int
}

func (c *atomicCounter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *atomicCounter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func TestLeanReusedConnectionClosed(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	tests := []struct {
		name string
		// serve answers the request-th request on connection conn.
		serve        func(c net.Conn, conn, req int) bool
		wantStatus   int
		wantRequests int64
		wantConns    int64
	}{
		{
			name: "backend closed the idle connection: sent again on a new one",
			serve: func(c net.Conn, conn, req int) bool {
				_, _ = io.WriteString(c, ok)
				return false // close after every response, without Connection: close
			},
			wantStatus: http.StatusOK, wantRequests: 2, wantConns: 2,
		},
		{
			name: "backend read the request and closed without answering: sent again",
			serve: func(c net.Conn, conn, req int) bool {
				if conn == 1 && req == 2 {
					return false
				}
				_, _ = io.WriteString(c, ok)
				return true
			},
			wantStatus: http.StatusOK, wantRequests: 3, wantConns: 2,
		},
		{
			name: "backend began to answer: not sent again",
			serve: func(c net.Conn, conn, req int) bool {
				if req == 2 {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Le")
					return false
				}
				_, _ = io.WriteString(c, ok)
				return true
			},
			wantStatus: http.StatusBadGateway, wantRequests: 2, wantConns: 1,
		},
		{
			name: "backend keeps closing: given up after a new connection failed too",
			serve: func(c net.Conn, conn, req int) bool {
				if conn == 1 && req == 1 {
					_, _ = io.WriteString(c, ok)
					return true
				}
				return false
			},
			wantStatus: http.StatusBadGateway, wantRequests: 3, wantConns: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := newTestProxy(t, Options{})
			rb := startRawBackend(t, func(c net.Conn, conn, req int, _ *http.Request) bool { return tt.serve(c, conn, req) })
			p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{rb.addr}})
			c := newClient()
			require.Equal(t, http.StatusOK, get(t, c, srv.URL, "r.test").status)
			assert.Equal(t, tt.wantStatus, get(t, c, srv.URL, "r.test").status)
			assert.Equal(t, tt.wantRequests, rb.requests.Load(), "requests the backend read")
			assert.Equal(t, tt.wantConns, rb.conns.Load(), "connections the backend accepted")
			eventually(t, 5*time.Second, "the request to be released", func() bool {
				return backendOf(p, rb.addr).inflight.Load() == 0
			})
		})
	}
}

func TestLeanResponseFraming(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		response   string
		closeAfter bool
		wantStatus int
		wantBody   string
		wantHeader http.Header
		wantReuse  bool
	}{
		{name: "content-length", response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			wantStatus: 200, wantBody: "hello", wantHeader: http.Header{"Content-Length": {"5"}}, wantReuse: true},
		{name: "chunked", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			wantStatus: 200, wantBody: "hello world", wantReuse: true},
		{name: "close-delimited", response: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", closeAfter: true,
			wantStatus: 200, wantBody: "until the end"},
		{name: "HTTP/1.0 without length", response: "HTTP/1.0 200 OK\r\n\r\nold style", closeAfter: true,
			wantStatus: 200, wantBody: "old style"},
		{name: "HEAD keeps Content-Length", method: http.MethodHead, response: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
			wantStatus: 200, wantHeader: http.Header{"Content-Length": {"1234"}}, wantReuse: true},
		{name: "204", response: "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
			wantStatus: 204, wantHeader: http.Header{"X-A": {"1"}}, wantReuse: true},
		{name: "304", response: "HTTP/1.1 304 Not Modified\r\nEtag: \"v1\"\r\n\r\n",
			wantStatus: 304, wantHeader: http.Header{"Etag": {`"v1"`}}, wantReuse: true},
		{name: "hop-by-hop fields are dropped", response: "HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-End: 2\r\nContent-Length: 0\r\n\r\n",
			wantStatus: 200, wantHeader: http.Header{"X-End": {"2"}, "X-Hop": nil, "Keep-Alive": nil, "Connection": nil}, wantReuse: true},
		{name: "bytes after the body: not reused", response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA",
			wantStatus: 200, wantBody: "hi"},
		{name: "Transfer-Encoding overrides Content-Length", response: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			// the backend's 3 is dropped; the server counts the body it got whole
			wantStatus: 200, wantBody: "hello", wantHeader: http.Header{"Content-Length": {"5"}}, wantReuse: true},
		{name: "conflicting Content-Length is 502", response: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
			wantStatus: 502},
		{name: "malformed status line is 502", response: "HTTX/1.1 two hundred\r\n\r\n", wantStatus: 502},
		{name: "status below 100 is 502", response: "HTTP/1.1 +99 Odd\r\nContent-Length: 0\r\n\r\n", wantStatus: 502},
		{name: "unrequested protocol switch is 502", response: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n",
			wantStatus: 502},
		{name: "oversized response head is 502", response: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", maxResponseHeaderBytes) + "\r\n\r\n",
			wantStatus: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := newTestProxy(t, Options{})
			rb := startRawBackend(t, answer(tt.response, tt.closeAfter))
			p.SetRoute(engine.Route{App: "f", Hosts: []string{"f.test"}, Backends: []string{rb.addr}})
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			c := newClient()
			for i := range 2 {
				r := do(t, c, method, srv.URL, "f.test", nil)
				require.Equal(t, tt.wantStatus, r.status, "request %d", i+1)
				if tt.wantStatus == http.StatusBadGateway {
					assertBland(t, r)
					continue
				}
				assert.Equal(t, tt.wantBody, r.body)
				for k, v := range tt.wantHeader {
					assert.Equal(t, v, r.header[k], k)
				}
			}
			wantConns := int64(2)
			if tt.wantReuse {
				wantConns = 1
			}
			assert.Equal(t, wantConns, rb.conns.Load(), "connections to the backend for two requests")
		})
	}
}

func TestLeanTruncatedBodyAbortsResponse(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	rb := startRawBackend(t, answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", true))
	p.SetRoute(engine.Route{App: "t", Hosts: []string{"t.test"}, Backends: []string{rb.addr}})
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Host = "t.test"
	res, err := newClient().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	_, err = io.ReadAll(res.Body)
	assert.Error(t, err, "the client must not mistake a cut-off body for a whole one")
}

func TestLeanInformationalAndTrailers(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	rb := startRawBackend(t, answer("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"+
		"HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"4\r\nbody\r\n0\r\nX-Sum: 42\r\nX-Late: 7\r\n\r\n", false))
	p.SetRoute(engine.Route{App: "i", Hosts: []string{"i.test"}, Backends: []string{rb.addr}})

	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		hints = append(hints, strconv.Itoa(code)+" "+h.Get("Link"))
		return nil
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Host = "i.test"
	res, err := newClient().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Equal(t, []string{"103 </style.css>; rel=preload"}, hints)
	assert.Equal(t, "body", string(body))
	assert.Equal(t, "42", res.Trailer.Get("X-Sum"), "announced trailer")
	assert.Equal(t, "7", res.Trailer.Get("X-Late"), "unannounced trailer")
}

func TestLeanLargeBodies(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 512<<10) // 8 MiB
	sum := sha256.Sum256(data)
	be, opened, _ := startCountingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		}
		for off := 0; off < len(data); off += 100_000 {
			_, _ = w.Write(data[off:min(off+100_000, len(data))])
		}
	})
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	p.SetRoute(engine.Route{App: "big", Hosts: []string{"big.test"}, Backends: []string{addrOf(be)}})
	plain := httptest.NewServer(p)
	t.Cleanup(plain.Close)
	h2 := httptest.NewUnstartedServer(p)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	t.Cleanup(h2.Close)

	for _, tc := range []struct {
		name string
		url  string
		c    *http.Client
	}{
		{"HTTP/1.1 content-length", plain.URL + "/", newClient()},
		{"HTTP/1.1 chunked", plain.URL + "/?chunked=1", newClient()},
		{"HTTP/2 over TLS", h2.URL + "/", h2.Client()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 {
				req, err := http.NewRequest(http.MethodGet, tc.url, nil)
				require.NoError(t, err)
				req.Host = "big.test"
				res, err := tc.c.Do(req)
				require.NoError(t, err)
				h := sha256.New()
				n, err := io.Copy(h, res.Body)
				require.NoError(t, err)
				_ = res.Body.Close()
				assert.Equal(t, int64(len(data)), n)
				assert.Equal(t, sum[:], h.Sum(nil))
			}
		})
	}
	// A client may send its next request before the proxy, having written
	// the last bytes, has returned the connection; so up to two.
	assert.LessOrEqual(t, opened.get(), 2, "six requests reused the connections")
}

func TestLeanHTTP2(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	srv := httptest.NewUnstartedServer(p)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	be := startBackend(t, "echo", echoHeaders)
	p.SetRoute(engine.Route{App: "echo", Hosts: []string{"echo.test"}, Backends: []string{addrOf(be)}})

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/x?y=1", nil)
	require.NoError(t, err)
	req.Host = "echo.test"
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 2, res.ProtoMajor, "the client spoke HTTP/2")
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), `"X-Forwarded-Proto":["https"]`)
	assert.Contains(t, string(body), `"uri":"/x?y=1"`)
	assert.Equal(t, 1, backendOf(p, addrOf(be)).pool.size(), "the lean path carried it")
}

func TestLeanClientGoesAway(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	entered := make(chan struct{}, 1)
	gone := make(chan struct{})
	be := startBackend(t, "hang", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done() // the proxy closed the connection
		close(gone)
	})
	p.SetRoute(engine.Route{App: "h", Hosts: []string{"h.test"}, Backends: []string{addrOf(be)}})

	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Host = "h.test"
	errc := make(chan error, 1)
	go func() {
		res, err := newClient().Do(req)
		if err == nil {
			_ = res.Body.Close()
		}
		errc <- err
	}()
	within(t, entered, 5*time.Second, "the request to reach the backend")
	cancel()
	assert.Error(t, within(t, errc, 5*time.Second, "the client to give up"))
	within(t, gone, 5*time.Second, "the proxy to abandon the backend connection")
	drainCtx, stop := context.WithTimeout(t.Context(), 5*time.Second)
	defer stop()
	assert.NoError(t, p.Drain(drainCtx, addrOf(be)), "the abandoned request is no longer in flight")
}
