// Package proxy is Quayside's reverse proxy: the single HTTP entry point in
// front of every app.
//
// A [Proxy] routes each request by its Host header to the backends (container
// addresses) of one app, round robin, and forwards it with
// X-Forwarded-For/-Host/-Proto set, the original Host and request target
// preserved, hop-by-hop headers stripped, responses streamed (SSE, chunked)
// and WebSocket upgrades carried both ways. Quayside is the edge: a client's
// own forwarding claims (X-Forwarded-*, X-Real-IP, True-Client-IP) are
// dropped unless it is a front proxy named in Options.TrustedProxies
// (trust.go). A Host that is not a valid host name is answered 400.
//
// It implements engine.Router. The engine switches an app to a new release
// with SetRoute (new backends) and then Drain (old backends): Drain stops new
// requests from reaching an address, waits for the ones in flight, and closes
// the idle keep-alive connections to it, so the old containers can be stopped
// without failing a request.
//
// Forwarding takes one of two paths (forward.go). The lean path carries
// requests without a body and with an idempotent method (GET, HEAD, ...):
// the request's own goroutine writes the head on a keep-alive connection
// from the backend's pool (pool.go, upconn.go), reads the response head and
// streams the body back through the server's buffer, flushing only when the
// backend has nothing more at hand, so a small response leaves in one write
// and a stream leaves as it comes. A pooled connection the backend closed
// meanwhile is replaced without the client noticing. Everything else
// (request bodies, POST, WebSocket upgrades, Expect: 100-continue) takes
// the generic path, httputil.ReverseProxy over http.Transport (generic.go).
// The client side is net/http's server (NewServer), which keeps request
// smuggling, oversized headers and slow clients out, and speaks HTTP/2 over
// TLS.
//
// The route table is immutable and swapped atomically on change, so a lookup
// takes no lock and costs the same for one app or five hundred. Error pages
// (404 unknown host, 503 no healthy release, 502 backend unreachable) are
// small static HTML pages that reveal nothing about the server.
//
// The package sits beside store and builder: it imports only engine and the
// standard library; cmd/quayside wires it to the engine and to the listener
// made by [NewServer].
package proxy
