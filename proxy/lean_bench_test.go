package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quayside/quayside/engine"
)

// benchRaw calls ServeHTTP from parallel goroutines against a raw backend
// that answers every request with a fixed small response, so the figures
// are the proxy's own: routing among apps routes, the lean path (GET) or
// the generic path (POST with a body) over loopback keep-alive
// connections, and copying the response.
func benchRaw(b *testing.B, apps int, method, body string) {
	p := New(Options{})
	b.Cleanup(func() { _ = p.Close() })
	const resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nhello from the backend\n"
	rb := startRawBackend(b, func(c net.Conn, _, _ int, r *http.Request) bool {
		_, _ = io.Copy(io.Discard, r.Body)
		_, err := io.WriteString(c, resp)
		return err == nil
	})
	p.SetRoute(engine.Route{App: "bench", Hosts: []string{"bench.test"}, Backends: []string{rb.addr}})
	for i := 1; i < apps; i++ {
		p.SetRoute(engine.Route{App: fmt.Sprintf("app-%d", i), Hosts: []string{fmt.Sprintf("app-%d.test", i)}, Backends: []string{fakeAddr(i)}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req := httptest.NewRequest(method, "/path?q=1", rd)
			req.Host = "bench.test"
			req.Header.Set("User-Agent", "bench")
			clear(w.h)
			w.status = 0
			p.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// BenchmarkLean1App is the lean path with one app in the route table.
func BenchmarkLean1App(b *testing.B) { benchRaw(b, 1, http.MethodGet, "") }

// BenchmarkLean500Apps is the same with 500 apps: it should cost the same.
func BenchmarkLean500Apps(b *testing.B) { benchRaw(b, 500, http.MethodGet, "") }

// BenchmarkGeneric is the generic path (httputil.ReverseProxy and
// http.Transport) for comparison: a POST with a small body.
func BenchmarkGeneric(b *testing.B) { benchRaw(b, 1, http.MethodPost, "k=v") }

// BenchmarkWriteHead writes a typical request head; it must not allocate.
func BenchmarkWriteHead(b *testing.B) {
	r := serverRequest(b, "GET /path?q=1 HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: Mozilla/5.0\r\n"+
		"Accept: text/html\r\nAccept-Language: en\r\nCookie: session=abc\r\n\r\n", "192.0.2.1:5555")
	bw := bufio.NewWriterSize(io.Discard, upBufSize)
	b.ReportAllocs()
	for b.Loop() {
		writeHead(bw, r, false)
	}
}
