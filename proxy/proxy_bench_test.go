package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/quayside/quayside/engine"
)

// discardWriter is a minimal http.ResponseWriter for benchmarks.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) Flush()                      {}

func benchBackend(b *testing.B) *httptest.Server {
	body := []byte("hello from the backend")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkProxy measures ServeHTTP end to end minus the client side:
// routing, forwarding over real loopback keep-alive connections to an
// httptest backend, and copying the response.
func BenchmarkProxy(b *testing.B) {
	p := New(Options{})
	b.Cleanup(func() { _ = p.Close() })
	be := benchBackend(b)
	p.SetRoute(engine.Route{App: "bench", Hosts: []string{"bench.example.test"}, Backends: []string{addrOf(be)}})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "http://bench.example.test/path?q=1", nil)
		req.Header.Set("User-Agent", "bench")
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.status = 0
			p.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// BenchmarkProxyLoopback adds the client side: a keep-alive client talks to
// the proxy's http.Server over loopback, which talks to the backend.
func BenchmarkProxyLoopback(b *testing.B) {
	p := New(Options{})
	b.Cleanup(func() { _ = p.Close() })
	srv := httptest.NewServer(p)
	b.Cleanup(srv.Close)
	be := benchBackend(b)
	p.SetRoute(engine.Route{App: "bench", Hosts: []string{"bench.example.test"}, Backends: []string{addrOf(be)}})
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	b.Cleanup(c.CloseIdleConnections)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/path", nil)
		req.Host = "bench.example.test"
		for pb.Next() {
			res, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}
	})
}

func benchLookup(b *testing.B, apps int) {
	p := New(Options{})
	for i := range apps {
		p.SetRoute(engine.Route{
			App:      fmt.Sprintf("app-%d", i),
			Hosts:    []string{fmt.Sprintf("app-%d.example.test", i)},
			Backends: []string{fakeAddr(i)},
		})
	}
	host := fmt.Sprintf("app-%d.example.test:443", apps/2)
	b.ReportAllocs()
	for b.Loop() {
		if p.table.Load().hosts[hostKey(host)] == nil {
			b.Fatal("no route")
		}
	}
}

// BenchmarkRouteLookup1 resolves a Host header to a route with one app.
func BenchmarkRouteLookup1(b *testing.B) { benchLookup(b, 1) }

// BenchmarkRouteLookup500 does the same with 500 apps: it should cost the same.
func BenchmarkRouteLookup500(b *testing.B) { benchLookup(b, 500) }

// BenchmarkAcquire picks and releases a backend from parallel goroutines:
// the per-request cost of routing, round robin and in-flight counting.
func BenchmarkAcquire(b *testing.B) {
	p := New(Options{})
	p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.example.test"}, Backends: []string{fakeAddr(1), fakeAddr(2)}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, be := p.acquire(hostKey("a.example.test:443"))
			be.release()
		}
	})
}
