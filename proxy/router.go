package proxy

import (
	"net"
	"slices"

	"github.com/quayside/quayside/engine"
)

var _ engine.Router = (*Proxy)(nil)

// SetRoute replaces the route of r.App atomically: a request that starts
// after SetRoute returns uses only r.Backends. Host names are normalised
// like Host headers (lowercase, no port, no trailing dot); a host name held
// by another app moves to r.App. Backends that are not "host:port" are
// ignored and logged. An address r.Backends names that was drained becomes
// eligible again. Addresses the app no longer names are marked draining at
// once, so requests holding an old table snapshot go to the new backends.
func (p *Proxy) SetRoute(r engine.Route) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rt := &route{app: r.App, hosts: p.hostKeys(r), backends: p.refBackends(r), edge: p.newEdgeRules(r.App, r.Edge)}
	old := p.table.Load()
	for _, h := range rt.hosts {
		if o := old.hosts[h]; o != nil && o.app != r.App {
			p.log.Warn("host name moved to another app", "host", h, "from", o.app, "to", r.App)
		}
	}
	p.table.Store(old.with(rt))
	if prev := old.apps[r.App]; prev != nil {
		p.unrefBackends(prev.backends)
	}
	p.sweep()
	if prev := old.apps[r.App]; prev != nil && sameRoute(prev, rt) {
		p.log.Debug("route set again", "app", r.App)
		return
	}
	p.log.Info("route set", "app", r.App, "hosts", rt.hosts, "backends", addrs(rt.backends))
}

// RemoveRoute forgets an app: its host names answer 404 and its backends
// are marked draining. Removing an unknown app does nothing.
func (p *Proxy) RemoveRoute(app string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.table.Load()
	prev := old.apps[app]
	if prev == nil {
		return
	}
	p.table.Store(old.without(app))
	delete(p.authQueues, app)
	p.unrefBackends(prev.backends)
	p.sweep()
	p.log.Info("route removed", "app", app)
}

// hostKeys returns r's host names as routing keys, without duplicates.
func (p *Proxy) hostKeys(r engine.Route) []string {
	keys := make([]string, 0, len(r.Hosts))
	seen := make(map[string]bool, len(r.Hosts))
	for _, h := range r.Hosts {
		k := hostKey(h)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	return keys
}

// refBackends returns the backends for r's addresses, creating missing ones,
// counting the new reference and clearing any draining mark. p.mu is held.
func (p *Proxy) refBackends(r engine.Route) []*backend {
	bs := make([]*backend, 0, len(r.Backends))
	seen := make(map[string]bool, len(r.Backends))
	for _, addr := range r.Backends {
		if seen[addr] {
			continue
		}
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
			p.log.Warn("ignoring backend that is not host:port", "app", r.App, "backend", addr)
			continue
		}
		seen[addr] = true
		b := p.backends[addr]
		if b == nil {
			b = newBackend(addr)
			b.fwd = p.newForwarder(b)
			b.pool = newConnPool(p.maxIdle, p.idleTime)
			p.backends[addr] = b
		}
		b.refs++
		b.draining.Store(false)
		p.conns.reopen(addr)
		bs = append(bs, b)
	}
	return bs
}

// unrefBackends drops one reference to each of bs; a backend no route names
// any more is marked draining. p.mu is held.
func (p *Proxy) unrefBackends(bs []*backend) {
	for _, b := range bs {
		b.refs--
		if b.refs == 0 {
			b.draining.Store(true)
		}
	}
}

// sweep forgets backends that no route names and that have nothing in
// flight, closing their idle connections. Busy ones stay until Drain or a
// later sweep. p.mu is held.
func (p *Proxy) sweep() {
	for addr, b := range p.backends {
		if b.refs == 0 && b.inflight.Load() == 0 {
			delete(p.backends, addr)
			b.pool.closeIdle()
			p.conns.closeAll(addr)
		}
	}
}

func addrs(bs []*backend) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.addr
	}
	return out
}

// sameRoute reports whether two routes send the same hosts to the same
// backends (edge rules aside), so that a repeated SetRoute logs quietly.
func sameRoute(a, b *route) bool {
	return slices.Equal(a.hosts, b.hosts) && slices.Equal(addrs(a.backends), addrs(b.backends))
}
