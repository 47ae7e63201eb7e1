package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Observer is told about every request the proxy handles. It is the seam
// for metrics: ObserveRequest runs on the request's goroutine after the
// response is finished, so it must be fast and safe for concurrent use.
// With no Observer the proxy does no timing and wraps no writer.
type Observer interface {
	ObserveRequest(RequestInfo)
}

// InFlightObserver is an Observer that also wants to know when a request
// routed to an app starts, to count the app's requests in flight. The
// proxy calls RequestStarted once routing has found the request's app and
// RequestDone with the same app once the response is finished, just before
// ObserveRequest. Requests no app has (404) and requests for the control
// host are not reported to it. Both run on the request's goroutine and
// must be fast and safe for concurrent use.
type InFlightObserver interface {
	Observer
	RequestStarted(app string)
	RequestDone(app string)
}

// RequestInfo describes one finished request.
type RequestInfo struct {
	// Host is the routing key of the Host header (lowercase, no port).
	Host string
	// App is the app the host routed to, "" when none did (a 404) and for
	// the control host.
	App string
	// Backend is the address first picked for the request, "" when none
	// was (404, 503). A retry after a refused connection is not reported.
	Backend string
	// Status is the status sent to the client: the backend's, or the
	// proxy's own 404, 502 or 503; 101 for a protocol upgrade; 0 when the
	// request was aborted before a status was sent.
	Status   int
	Duration time.Duration
	// BytesIn is the request body bytes read from the client; BytesOut
	// the response body bytes written to it (headers not counted). Bytes
	// that pass over an upgraded (hijacked) connection are not counted.
	BytesIn  int64
	BytesOut int64
}

// observed is the per-request state of an observed request that must live
// on the heap, allocated once: the writer that records the status and
// counts the response, and the reader that counts the request body.
type observed struct {
	statusWriter
	body countingBody
}

// serveObserved serves r and reports it to the observer.
func (p *Proxy) serveObserved(w http.ResponseWriter, r *http.Request) {
	o := &observed{statusWriter: statusWriter{ResponseWriter: w}}
	if r.Body != nil && r.Body != http.NoBody {
		o.body.ReadCloser = r.Body
		r.Body = &o.body
	}
	info := RequestInfo{Host: hostKey(r.Host)}
	inf, app := p.startInFlight(info.Host)
	start := time.Now()
	defer func() {
		info.Status = o.status
		info.Duration = time.Since(start)
		info.BytesIn = o.body.n.Load()
		info.BytesOut = o.written
		if app != "" {
			inf.RequestDone(app)
		}
		p.obs.ObserveRequest(info)
	}()
	p.serve(&o.statusWriter, r, &info)
}

// startInFlight tells an InFlightObserver that a request for host started
// when host routes to an app, and returns the observer and the app ("" when
// it was not told).
func (p *Proxy) startInFlight(host string) (InFlightObserver, string) {
	inf, ok := p.obs.(InFlightObserver)
	if !ok || (p.control != nil && host == p.controlHost) {
		return nil, ""
	}
	rt := p.table.Load().hosts[host]
	if rt == nil {
		return nil, ""
	}
	inf.RequestStarted(rt.app)
	return inf, rt.app
}

// countingBody counts the bytes read from a request body. The generic
// path's transport reads the body on its own goroutine, which may still
// run when the request is reported, hence the atomic count.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

// Read reads from the body and counts what it read.
func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.n.Add(int64(n))
	}
	return n, err
}

// statusWriter records the status written through it and counts the body
// bytes. Flush and the rest reach the underlying writer through Unwrap
// (http.ResponseController).
type statusWriter struct {
	http.ResponseWriter
	status  int
	written int64
}

// WriteHeader records the final status and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and counts what was written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
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
