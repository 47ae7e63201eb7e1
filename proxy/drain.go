package proxy

import (
	"context"
	"time"
)

// Drain stops new requests from reaching addr and waits until the requests
// in flight to addr have finished, then closes the idle keep-alive
// connections to it and returns nil. After it returns nil no request is sent
// to addr until a later SetRoute names addr again. If ctx ends first, Drain
// returns ctx.Err() and addr stays marked draining. Requests that hold a
// connection open (WebSockets, streams) count as in flight until they end.
// A route whose only backends are draining answers 503. An address the
// proxy does not know is already drained.
//
// A SetRoute that names addr while Drain waits clears the mark; Drain then
// waits for a quiet moment that may not come before ctx ends.
func (p *Proxy) Drain(ctx context.Context, addr string) error {
	b := p.markDraining(addr)
	if b == nil {
		return nil
	}
	start := time.Now()
	if err := b.waitIdle(ctx); err != nil {
		p.log.Warn("drain timed out", "backend", addr, "in_flight", b.inflight.Load(), "err", err)
		return err
	}
	p.finishDrain(b)
	p.log.Info("backend drained", "backend", addr, "took", time.Since(start))
	return nil
}

// markDraining marks addr's backend draining and returns it, nil if unknown.
func (p *Proxy) markDraining(addr string) *backend {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.backends[addr]
	if b != nil {
		b.draining.Store(true)
	}
	return b
}

// finishDrain closes the idle connections to a drained backend and forgets
// it if no route names it. It does nothing when a SetRoute brought the
// backend back meanwhile, or when a sweep already forgot it (and closed its
// connections): the address may belong to a newer backend by now.
func (p *Proxy) finishDrain(b *backend) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !b.draining.Load() || p.backends[b.addr] != b {
		return
	}
	b.pool.closeIdle()
	p.conns.closeAll(b.addr)
	if b.refs == 0 {
		delete(p.backends, b.addr)
	}
}
