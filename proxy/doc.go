// Package proxy is Quayside's reverse proxy: the single HTTP entry point in
// front of every app.
//
// A [Proxy] routes each request by its Host header to the backends (container
// addresses) of one app, round robin, and forwards it with
// X-Forwarded-For/-Host/-Proto set, the original Host preserved, hop-by-hop
// headers stripped, responses streamed (SSE, chunked) and WebSocket upgrades
// carried both ways.
//
// It implements engine.Router. The engine switches an app to a new release
// with SetRoute (new backends) and then Drain (old backends): Drain stops new
// requests from reaching an address, waits for the ones in flight, and closes
// the idle keep-alive connections to it, so the old containers can be stopped
// without failing a request.
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
