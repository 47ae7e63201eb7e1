package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRouting(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	a := startBackend(t, "alpha", nil)
	b := startBackend(t, "beta", nil)
	v6 := startBackend(t, "six", nil)
	p.SetRoute(engine.Route{App: "alpha", Hosts: []string{"alpha.example.test"}, Backends: []string{addrOf(a)}})
	p.SetRoute(engine.Route{App: "beta", Hosts: []string{"Beta.Example.Test.", "www.beta.test"}, Backends: []string{addrOf(b)}})
	p.SetRoute(engine.Route{App: "six", Hosts: []string{"[2001:db8::7]"}, Backends: []string{addrOf(v6)}})
	c := newClient()

	for _, tc := range []struct{ host, want string }{
		{"alpha.example.test", "alpha"},
		{"alpha.example.test:8080", "alpha"},
		{"ALPHA.Example.Test", "alpha"},
		{"alpha.example.test.", "alpha"},
		{"Alpha.Example.Test.:443", "alpha"},
		{"beta.example.test", "beta"},
		{"www.beta.test:80", "beta"},
		{"[2001:DB8::7]:8443", "six"},
		{"[2001:db8::7]", "six"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			r := get(t, c, srv.URL, tc.host)
			assert.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, tc.want, r.body)
		})
	}

	t.Run("unknown host is 404", func(t *testing.T) {
		r := get(t, c, srv.URL, "gamma.example.test")
		assert.Equal(t, http.StatusNotFound, r.status)
		assertBland(t, r, "alpha", "beta", "gamma")
	})

	t.Run("removed route is 404", func(t *testing.T) {
		p.RemoveRoute("beta")
		assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL, "beta.example.test").status)
		assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL, "www.beta.test").status)
		assert.Equal(t, "alpha", get(t, c, srv.URL, "alpha.example.test").body)
		p.RemoveRoute("no-such-app") // harmless
	})

	t.Run("SetRoute replaces hosts", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "alpha", Hosts: []string{"new.example.test"}, Backends: []string{addrOf(a)}})
		assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL, "alpha.example.test").status)
		assert.Equal(t, "alpha", get(t, c, srv.URL, "new.example.test").body)
	})

	t.Run("host moves to the app that set it last", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "beta", Hosts: []string{"new.example.test"}, Backends: []string{addrOf(b)}})
		assert.Equal(t, "beta", get(t, c, srv.URL, "new.example.test").body)
		// alpha changing its route must not take the host away from beta
		p.SetRoute(engine.Route{App: "alpha", Hosts: []string{"alpha.example.test"}, Backends: []string{addrOf(a)}})
		assert.Equal(t, "beta", get(t, c, srv.URL, "new.example.test").body)
		assert.Equal(t, "alpha", get(t, c, srv.URL, "alpha.example.test").body)
	})

	t.Run("invalid backend addresses are ignored", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "alpha", Hosts: []string{"alpha.example.test"},
			Backends: []string{"nonsense", ":80", addrOf(a), addrOf(a)}})
		assert.Equal(t, "alpha", get(t, c, srv.URL, "alpha.example.test").body)
		assert.Len(t, p.table.Load().apps["alpha"].backends, 1)
	})
}

func TestErrorPages(t *testing.T) {
	p, srv := newTestProxy(t, Options{RetryAfter: 7200 * time.Millisecond}) // rounds to 7
	c := newClient()
	dead := deadAddr(t)
	p.SetRoute(engine.Route{App: "secretapp", Hosts: []string{"empty.example.test"}})
	p.SetRoute(engine.Route{App: "hiddenapp", Hosts: []string{"down.example.test"}, Backends: []string{dead}})

	t.Run("404 unknown host", func(t *testing.T) {
		r := get(t, c, srv.URL, "nothing.example.test")
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Contains(t, r.body, "Not found")
		assertBland(t, r, "nothing", "secretapp", "hiddenapp")
	})
	t.Run("400 invalid host", func(t *testing.T) {
		r := get(t, c, srv.URL, "[::1")
		assert.Equal(t, http.StatusBadRequest, r.status)
		assertBland(t, r)
	})
	t.Run("503 no backends", func(t *testing.T) {
		r := get(t, c, srv.URL, "empty.example.test")
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Contains(t, r.body, "no healthy release right now")
		assert.Equal(t, "7", r.header.Get("Retry-After"))
		assertBland(t, r, "secretapp", "empty")
	})
	t.Run("503 when every backend is draining", func(t *testing.T) {
		a := startBackend(t, "a", nil)
		p.SetRoute(engine.Route{App: "drained", Hosts: []string{"drained.example.test"}, Backends: []string{addrOf(a)}})
		require.Equal(t, http.StatusOK, get(t, c, srv.URL, "drained.example.test").status)
		require.NoError(t, p.Drain(t.Context(), addrOf(a)))
		r := get(t, c, srv.URL, "drained.example.test")
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assertBland(t, r, addrOf(a))
	})
	t.Run("502 backend unreachable", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			r := do(t, c, m, srv.URL, "down.example.test", strings.NewReader("x"))
			assert.Equal(t, http.StatusBadGateway, r.status, m)
			assert.Contains(t, r.body, "did not answer")
			assertBland(t, r, "hiddenapp", "down", dead)
		}
	})
	t.Run("HEAD gets status without body", func(t *testing.T) {
		r := do(t, c, http.MethodHead, srv.URL, "nothing.example.test", nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Empty(t, r.body)
	})
}

// echoHeaders is a backend that answers with what it received as JSON.
func echoHeaders(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "X-Internal")
	w.Header().Set("X-Internal", "hop")
	w.Header().Set("Keep-Alive", "timeout=5")
	_ = json.NewEncoder(w).Encode(map[string]any{"host": r.Host, "header": r.Header, "uri": r.RequestURI})
}

type echoed struct {
	Host   string      `json:"host"`
	Header http.Header `json:"header"`
	URI    string      `json:"uri"`
}

func TestForwarding(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	plain := httptest.NewServer(p)
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(p)
	t.Cleanup(tlsSrv.Close)
	be := startBackend(t, "echo", echoHeaders)
	p.SetRoute(engine.Route{App: "echo", Hosts: []string{"echo.example.test"}, Backends: []string{addrOf(be)}})

	send := func(t *testing.T, c *http.Client, url string, h http.Header) (echoed, http.Header) {
		req, err := http.NewRequest(http.MethodGet, url+"/p/a%2Fb?q=1&r=%20", nil)
		require.NoError(t, err)
		req.Host = "Echo.Example.Test:8443"
		for k, v := range h {
			req.Header[k] = v
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		var e echoed
		require.NoError(t, json.NewDecoder(res.Body).Decode(&e))
		return e, res.Header
	}

	t.Run("plain request", func(t *testing.T) {
		e, resHeader := send(t, newClient(), plain.URL, http.Header{
			"X-Forwarded-Host":  {"evil.test"},
			"X-Forwarded-Proto": {"https"},
			"Forwarded":         {"for=1.2.3.4"},
			"Connection":        {"X-Secret"},
			"X-Secret":          {"s"},
			"Proxy-Connection":  {"keep-alive"},
			"X-Custom":          {"kept"},
		})
		assert.Equal(t, "Echo.Example.Test:8443", e.Host, "Host is preserved")
		assert.Equal(t, "/p/a%2Fb?q=1&r=%20", e.URI, "path and query are preserved")
		assert.Equal(t, []string{"127.0.0.1"}, e.Header["X-Forwarded-For"])
		assert.Equal(t, []string{"Echo.Example.Test:8443"}, e.Header["X-Forwarded-Host"])
		assert.Equal(t, []string{"http"}, e.Header["X-Forwarded-Proto"])
		assert.Equal(t, []string{"kept"}, e.Header["X-Custom"])
		for _, h := range []string{"Forwarded", "X-Secret", "Proxy-Connection", "Connection"} {
			assert.NotContains(t, e.Header, h)
		}
		assert.Empty(t, resHeader.Get("X-Internal"), "response hop-by-hop headers are stripped")
		assert.Empty(t, resHeader.Get("Keep-Alive"))
	})

	t.Run("a client's X-Forwarded-For is replaced by its IP", func(t *testing.T) {
		e, _ := send(t, newClient(), plain.URL, http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.1", "192.0.2.4"}})
		assert.Equal(t, []string{"127.0.0.1"}, e.Header["X-Forwarded-For"])
	})

	t.Run("TLS request is forwarded as https", func(t *testing.T) {
		e, _ := send(t, tlsSrv.Client(), tlsSrv.URL, nil)
		assert.Equal(t, []string{"https"}, e.Header["X-Forwarded-Proto"])
		assert.Equal(t, []string{"127.0.0.1"}, e.Header["X-Forwarded-For"])
	})

	t.Run("compressed responses pass through untouched", func(t *testing.T) {
		gz := startBackend(t, "gz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("X-Accept-Encoding", r.Header.Get("Accept-Encoding"))
			_, _ = w.Write([]byte("not really gzip"))
		})
		p.SetRoute(engine.Route{App: "gz", Hosts: []string{"gz.example.test"}, Backends: []string{addrOf(gz)}})
		c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		r := get(t, c, plain.URL, "gz.example.test")
		assert.Equal(t, "gzip", r.header.Get("Content-Encoding"))
		assert.Equal(t, "not really gzip", r.body)
		assert.Empty(t, r.header.Get("X-Accept-Encoding"), "the proxy adds no Accept-Encoding")
	})
}

func TestRoundRobin(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	var bs []string
	for i := range 3 {
		bs = append(bs, addrOf(startBackend(t, fmt.Sprintf("b%d", i), nil)))
	}
	p.SetRoute(engine.Route{App: "rr", Hosts: []string{"rr.example.test"}, Backends: bs})
	c := newClient()

	t.Run("sequential requests spread evenly", func(t *testing.T) {
		counts := map[string]int{}
		for range 30 {
			counts[get(t, c, srv.URL, "rr.example.test").body]++
		}
		assert.Equal(t, map[string]int{"b0": 10, "b1": 10, "b2": 10}, counts)
	})

	t.Run("concurrent requests reach every backend", func(t *testing.T) {
		var mu sync.Mutex
		counts := map[string]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for range 20 {
					body := get(t, c, srv.URL, "rr.example.test").body
					mu.Lock()
					counts[body]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, counts, 3)
		for name, n := range counts {
			assert.InDelta(t, 40, n, 12, name)
		}
	})
}

type recordingObserver struct {
	mu    sync.Mutex
	infos []RequestInfo
}

func (o *recordingObserver) ObserveRequest(i RequestInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.infos = append(o.infos, i)
}

func (o *recordingObserver) last() RequestInfo {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.infos[len(o.infos)-1]
}

func TestObserver(t *testing.T) {
	obs := &recordingObserver{}
	p, srv := newTestProxy(t, Options{Observer: obs})
	a := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	p.SetRoute(engine.Route{App: "obs", Hosts: []string{"obs.example.test"}, Backends: []string{addrOf(a)}})
	p.SetRoute(engine.Route{App: "none", Hosts: []string{"none.example.test"}})
	c := newClient()

	for _, tc := range []struct {
		name, host string
		want       RequestInfo
	}{
		{"proxied", "OBS.example.test:80", RequestInfo{Host: "obs.example.test", App: "obs", Backend: addrOf(a), Status: http.StatusTeapot}},
		{"not found", "x.example.test", RequestInfo{Host: "x.example.test", Status: http.StatusNotFound}},
		{"unavailable", "none.example.test", RequestInfo{Host: "none.example.test", App: "none", Status: http.StatusServiceUnavailable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, c, srv.URL, tc.host)
			require.Equal(t, tc.want.Status, r.status)
			got := obs.last()
			assert.Positive(t, got.Duration)
			assert.Equal(t, int64(len(r.body)), got.BytesOut)
			got.Duration, got.BytesOut = 0, 0
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNewServer(t *testing.T) {
	p := New(Options{})
	srv := NewServer("127.0.0.1:0", p)
	assert.Equal(t, "127.0.0.1:0", srv.Addr)
	assert.Same(t, p, srv.Handler.(*Proxy))
	assert.Equal(t, ServerReadHeaderTimeout, srv.ReadHeaderTimeout)
	assert.Equal(t, ServerIdleTimeout, srv.IdleTimeout)
	assert.Equal(t, ServerMaxHeaderBytes, srv.MaxHeaderBytes)
	assert.Zero(t, srv.WriteTimeout, "streams need no write timeout")
	assert.Zero(t, srv.ReadTimeout, "uploads need no read timeout")
	assert.NotNil(t, srv.ErrorLog)
	assert.Nil(t, NewServer(":0", http.NotFoundHandler()).ErrorLog)
}
