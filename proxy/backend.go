package proxy

import (
	"context"
	"net/http"
	"sync/atomic"
)

// backend is one upstream address. There is one backend per address,
// shared by every route and table snapshot that names it, so its in-flight
// count covers all of them.
//
// The draining protocol relies on Go's sequentially consistent atomics: a
// request increments inflight and then reads draining; Drain sets draining
// and then reads inflight. Either Drain sees the request's increment and
// waits for it, or the request sees the mark and backs off without sending.
type backend struct {
	addr     string
	inflight atomic.Int64
	draining atomic.Bool
	// idle receives a token whenever inflight drops to zero while draining.
	idle chan struct{}
	// fwd sends a request to addr; built once, when the backend is created.
	fwd http.Handler
	// pool holds the lean path's idle keep-alive connections to addr.
	pool *connPool
	// refs counts the routes that name addr; guarded by Proxy.mu.
	refs int
}

func newBackend(addr string) *backend {
	return &backend{addr: addr, idle: make(chan struct{}, 1)}
}

// tryAcquire counts one request in flight to b, unless b is draining.
func (b *backend) tryAcquire() bool {
	if b.draining.Load() {
		return false
	}
	b.inflight.Add(1)
	if b.draining.Load() {
		b.release()
		return false
	}
	return true
}

// release ends a request counted by tryAcquire.
func (b *backend) release() {
	if b.inflight.Add(-1) == 0 && b.draining.Load() {
		b.signalIdle()
	}
}

func (b *backend) signalIdle() {
	select {
	case b.idle <- struct{}{}:
	default:
	}
}

// waitIdle waits until no request is in flight to b, or ctx ends. The
// caller must have marked b draining first.
func (b *backend) waitIdle(ctx context.Context) error {
	for b.inflight.Load() != 0 {
		select {
		case <-b.idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b.signalIdle() // wake any other Drain waiting on the same address
	return nil
}
