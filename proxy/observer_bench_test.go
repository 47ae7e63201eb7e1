package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quayside/quayside/engine"
)

// nopObserver is the cheapest Observer: it measures what observing costs
// the proxy itself.
type nopObserver struct{}

func (nopObserver) ObserveRequest(RequestInfo) {}
func (nopObserver) RequestStarted(string)      {}
func (nopObserver) RequestDone(string)         {}

// benchObserved is benchRaw with an Observer set.
func benchObserved(b *testing.B, method, body string) {
	p := New(Options{Observer: nopObserver{}})
	b.Cleanup(func() { _ = p.Close() })
	const resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nhello from the backend\n"
	rb := startRawBackend(b, func(c net.Conn, _, _ int, r *http.Request) bool {
		_, _ = io.Copy(io.Discard, r.Body)
		_, err := io.WriteString(c, resp)
		return err == nil
	})
	p.SetRoute(engine.Route{App: "bench", Hosts: []string{"bench.test"}, Backends: []string{rb.addr}})
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

// BenchmarkLeanObserved is BenchmarkLean1App with an Observer (and
// InFlightObserver) set.
func BenchmarkLeanObserved(b *testing.B) { benchObserved(b, http.MethodGet, "") }

// BenchmarkGenericObserved is BenchmarkGeneric with an Observer set.
func BenchmarkGenericObserved(b *testing.B) { benchObserved(b, http.MethodPost, "k=v") }
