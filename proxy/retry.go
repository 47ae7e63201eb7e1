package proxy

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"syscall"
)

// retryTransport sends a request to the backend the proxy picked and, when
// that backend refuses the connection and the request can be replayed,
// once more to another backend of the same route.
type retryTransport struct {
	p     *Proxy
	first *backend
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.p.transport.RoundTrip(req)
	if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || !replayable(req) {
		return res, err
	}
	return t.p.retry(req, t.first, err)
}

// retry sends req to a backend of its route other than failed; without
// one it returns err, the first attempt's error.
func (p *Proxy) retry(req *http.Request, failed *backend, err error) (*http.Response, error) {
	rt := p.table.Load().hosts[hostKey(req.Host)]
	if rt == nil {
		return nil, err
	}
	b := rt.pickOther(failed)
	if b == nil {
		return nil, err
	}
	p.log.Debug("backend refused connection, retrying", "backend", failed.addr, "retry", b.addr)
	out := req.Clone(req.Context())
	out.URL.Host = b.addr
	res, err := p.transport.RoundTrip(out)
	if err != nil {
		b.release()
		return nil, err
	}
	res.Body = &releaseBody{ReadCloser: res.Body, b: b}
	return res, nil
}

// replayable reports whether req may be sent a second time: it has no body
// and its method is idempotent.
func replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// releaseBody ends the in-flight count of a retried request when its
// response body is closed. It stays writable so that a 101 Switching
// Protocols body still works as the upgraded connection.
type releaseBody struct {
	io.ReadCloser
	b    *backend
	once sync.Once
}

var errNotWritable = errors.New("response body is not writable")

// Write writes to the underlying body if it is writable.
func (r *releaseBody) Write(p []byte) (int, error) {
	if w, ok := r.ReadCloser.(io.Writer); ok {
		return w.Write(p)
	}
	return 0, errNotWritable
}

// Close closes the body and releases the backend once.
func (r *releaseBody) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.b.release)
	return err
}
