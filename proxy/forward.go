package proxy

import "net/http"

// This file picks the forwarding path for each request. The lean path
// (lean.go) carries the common case with our own keep-alive pool and no
// per-request goroutines; the generic path (generic.go, httputil.ReverseProxy)
// carries everything else. Both count the request in flight the same way,
// so routing and draining do not know which one ran.

// forwarder sends the requests routed to one backend. It is built once,
// when the backend is created.
type forwarder struct {
	p       *Proxy
	b       *backend
	generic http.Handler
}

// newForwarder returns the handler that sends requests to b.
func (p *Proxy) newForwarder(b *backend) http.Handler {
	return &forwarder{p: p, b: b, generic: p.newGeneric(b)}
}

// ServeHTTP forwards r to the forwarder's backend.
func (f *forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if leanEligible(r) {
		f.p.forwardLean(w, r, f.b)
		return
	}
	f.generic.ServeHTTP(w, r)
}

// leanEligible reports whether the lean path carries r: a request without
// a body, with a method that may be sent twice (so a keep-alive connection
// the backend closed meanwhile can be replaced transparently), that asks
// for no protocol upgrade and no 100-continue. Everything else, uploads,
// POST, WebSockets, takes the generic path.
func leanEligible(r *http.Request) bool {
	if r.ContentLength != 0 { // server requests: 0 means no body, also over HTTP/2
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
	default:
		return false
	}
	return len(r.Header["Upgrade"]) == 0 && len(r.Header["Expect"]) == 0
}
