package proxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
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
		Rewrite:       func(pr *httputil.ProxyRequest) { rewrite(pr, b.addr, p.fromTrustedProxy(pr.In)) },
		Transport:     &retryTransport{p: p, first: b},
		FlushInterval: -1, // flush every write: SSE, long polling, chunked streams
		BufferPool:    p.bufs,
		ErrorLog:      p.errLog,
		ErrorHandler:  func(w http.ResponseWriter, r *http.Request, err error) { p.badGateway(w, r, b, err) },
	}
}

// rewrite points the outgoing request at addr, with the client's own
// request target (keepTarget). The Host header stays the client's;
// ReverseProxy has already stripped hop-by-hop headers and the client's
// own Forwarded and X-Forwarded-* headers; the client's X-Real-IP and
// True-Client-IP go too unless it is a trusted proxy, and fields that
// spell any of those with underscores always go (trust.go).
func rewrite(pr *httputil.ProxyRequest, addr string, trusted bool) {
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = addr
	keepTarget(pr.Out.URL, pr.In.RequestURI)
	if !trusted {
		delete(pr.Out.Header, "X-Real-Ip")
		delete(pr.Out.Header, "True-Client-Ip")
	}
	for k := range pr.Out.Header {
		if forwardingLookalike(k) {
			delete(pr.Out.Header, k)
		}
	}
	setForwarded(pr.Out.Header, pr.In, trusted)
}

// keepTarget makes u send the client's request target byte for byte (as
// the lean path does), instead of a path decoded and encoded again, which
// can differ from what the client sent. An absolute-form target, "*" and
// a path starting with "//" (which u would send as a scheme-relative URL)
// keep u's own encoding.
func keepTarget(u *url.URL, target string) {
	if target == "" || target[0] != '/' || strings.HasPrefix(target, "//") {
		return
	}
	path, query, hasQuery := strings.Cut(target, "?")
	u.Opaque = path
	u.RawQuery = query
	u.ForceQuery = hasQuery && query == ""
}

// Shared header values; the transport only reads them.
var (
	protoHTTP  = []string{"http"}
	protoHTTPS = []string{"https"}
)

// setForwarded sets X-Forwarded-For (the peer's IP), X-Forwarded-Host
// (the original Host) and X-Forwarded-Proto (http or https). When in comes
// from a trusted proxy, its X-Forwarded-For is kept with the peer's IP
// appended, and its X-Forwarded-Host and X-Forwarded-Proto, when it sent
// them, are passed on instead of ours. Both new values share one allocation.
func setForwarded(h http.Header, in *http.Request, trusted bool) {
	vals := make([]string, 2)
	vals[1] = in.Host
	h["X-Forwarded-Host"] = vals[1:2:2]
	if ip, _, err := net.SplitHostPort(in.RemoteAddr); err == nil {
		if prior := in.Header["X-Forwarded-For"]; trusted && len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		vals[0] = ip
		h["X-Forwarded-For"] = vals[0:1:1]
	}
	if trusted && len(in.Header["X-Forwarded-Host"]) > 0 {
		h["X-Forwarded-Host"] = in.Header["X-Forwarded-Host"]
	}
	if trusted && len(in.Header["X-Forwarded-Proto"]) > 0 {
		h["X-Forwarded-Proto"] = in.Header["X-Forwarded-Proto"]
		return
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
