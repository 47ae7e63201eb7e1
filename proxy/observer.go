package proxy

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// Observer is told about every request the proxy handles. It is the seam
// for metrics: ObserveRequest runs on the request's goroutine after the
// response is finished, so it must be fast and safe for concurrent use.
// With no Observer the proxy does no timing and wraps no writer.
type Observer interface {
	ObserveRequest(RequestInfo)
}

// RequestInfo describes one finished request.
type RequestInfo struct {
	// Host is the routing key of the Host header (lowercase, no port).
	Host string
	// App is the app the host routed to, "" when none did (a 404).
	App string
	// Backend is the address first picked for the request, "" when none
	// was (404, 503). A retry after a refused connection is not reported.
	Backend string
	// Status is the status sent to the client: the backend's, or the
	// proxy's own 404, 502 or 503; 101 for a protocol upgrade; 0 when the
	// request was aborted before a status was sent.
	Status   int
	Duration time.Duration
}

// serveObserved serves r and reports it to the observer.
func (p *Proxy) serveObserved(w http.ResponseWriter, r *http.Request) {
	info := RequestInfo{}
	sw := &statusWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		info.Status = sw.status
		info.Duration = time.Since(start)
		p.obs.ObserveRequest(info)
	}()
	p.serve(sw, r, &info)
}

// statusWriter records the status written through it. Flush and the rest
// reach the underlying writer through Unwrap (http.ResponseController).
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the final status and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack records a protocol switch and hijacks the underlying connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return c, brw, err
}

// Unwrap returns the underlying writer for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
