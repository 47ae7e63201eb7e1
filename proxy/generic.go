package proxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"
)

// This file is the generic forwarding path, built on httputil.ReverseProxy
// and http.Transport, one ReverseProxy per backend so the target is fixed
// without per-request state. It carries what the lean path (lean.go) leaves
// out: request bodies, non-idempotent methods, protocol upgrades
// (WebSockets) and Expect: 100-continue. It is the only file that knows
// about httputil.ReverseProxy.

// newTransport returns the keep-alive pool shared by all backends: HTTP/1.1
// only, no environment proxy, no transparent compression, connections
// tracked per backend for Drain.
func newTransport(o Options, conns *connTracker) *http.Transport {
	d := newDialer(o)
	protos := new(http.Protocols)
	protos.SetHTTP1(true)
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           conns.dialer(d.DialContext),
		Protocols:             protos,
		ForceAttemptHTTP2:     false,
		DisableCompression:    true,
		MaxIdleConns:          0, // no global cap; MaxIdleConnsPerHost bounds each backend
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		IdleConnTimeout:       o.IdleConnTimeout,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// newDialer returns the dialer both paths connect to backends with.
func newDialer(o Options) *net.Dialer {
	return &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
}

// newGeneric returns the generic-path handler that sends requests to b.
func (p *Proxy) newGeneric(b *backend) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { rewrite(pr, b.addr) },
		Transport:     &retryTransport{p: p, first: b},
		FlushInterval: -1, // flush every write: SSE, long polling, chunked streams
		BufferPool:    p.bufs,
		ErrorLog:      p.errLog,
		ErrorHandler:  func(w http.ResponseWriter, r *http.Request, err error) { p.badGateway(w, r, b, err) },
	}
}

// rewrite points the outgoing request at addr. The Host header stays the
// client's; ReverseProxy has already stripped hop-by-hop headers and the
// client's own Forwarded and X-Forwarded-* headers.
func rewrite(pr *httputil.ProxyRequest, addr string) {
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = addr
	setForwarded(pr.Out.Header, pr.In)
}

// Shared header values; the transport only reads them.
var (
	protoHTTP  = []string{"http"}
	protoHTTPS = []string{"https"}
)

// setForwarded sets X-Forwarded-For (the client's value, if any, with the
// client IP appended), X-Forwarded-Host (the original Host) and
// X-Forwarded-Proto (http or https). Both new values share one allocation.
func setForwarded(h http.Header, in *http.Request) {
	vals := make([]string, 2)
	vals[1] = in.Host
	h["X-Forwarded-Host"] = vals[1:2:2]
	if ip, _, err := net.SplitHostPort(in.RemoteAddr); err == nil {
		if prior := in.Header["X-Forwarded-For"]; len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		vals[0] = ip
		h["X-Forwarded-For"] = vals[0:1:1]
	}
	if in.TLS != nil {
		h["X-Forwarded-Proto"] = protoHTTPS
	} else {
		h["X-Forwarded-Proto"] = protoHTTP
	}
}

// badGateway answers a request the backend did not answer. A request whose
// client went away (its context ended, which aborts the backend exchange
// with a canceled context or an expired deadline) is only worth a debug line.
func (p *Proxy) badGateway(w http.ResponseWriter, r *http.Request, b *backend, err error) {
	if r.Context().Err() != nil {
		p.log.Debug("client went away", "host", r.Host, "backend", b.addr)
	} else {
		p.log.Warn("backend failed", "host", r.Host, "backend", b.addr, "err", err)
	}
	writePage(w, &pageBadGateway)
}
