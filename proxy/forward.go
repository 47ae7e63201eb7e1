package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"
)

// This file is the forwarding core: everything that moves one request to
// one backend and its response back. It is built on httputil.ReverseProxy,
// one per backend so the target is fixed without per-request state; a
// faster core can replace newForwarder without touching routing or draining.

// newTransport returns the keep-alive pool shared by all backends: HTTP/1.1
// only, no environment proxy, no transparent compression, connections
// tracked per backend for Drain.
func newTransport(o Options, conns *connTracker) *http.Transport {
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
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

// newForwarder returns the handler that sends requests to b.
func (p *Proxy) newForwarder(b *backend) http.Handler {
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

// badGateway answers a request the backend did not answer.
func (p *Proxy) badGateway(w http.ResponseWriter, r *http.Request, b *backend, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		p.log.Debug("client went away", "host", r.Host, "backend", b.addr)
	} else {
		p.log.Warn("backend failed", "host", r.Host, "backend", b.addr, "err", err)
	}
	writePage(w, &pageBadGateway)
}

// copyBufSize is the size of the buffers bodies are copied with.
const copyBufSize = 32 << 10

// bufferPool recycles the buffers ReverseProxy copies bodies with. It pools
// array pointers, so neither Get nor Put allocates.
type bufferPool struct{ pool *sync.Pool }

func newBufferPool() bufferPool {
	return bufferPool{pool: &sync.Pool{New: func() any { return new([copyBufSize]byte) }}}
}

// Get returns a buffer.
func (bp bufferPool) Get() []byte { return bp.pool.Get().(*[copyBufSize]byte)[:] }

// Put returns a buffer from Get; other slices are dropped.
func (bp bufferPool) Put(b []byte) {
	if cap(b) >= copyBufSize {
		bp.pool.Put((*[copyBufSize]byte)(b[:copyBufSize]))
	}
}
