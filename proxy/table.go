package proxy

import "sync/atomic"

// route is one app's entry in a table. It is never modified after it is
// published, except for the round-robin counter.
type route struct {
	app      string
	hosts    []string
	backends []*backend
	// edge holds the app's edge rules; nil when it has none.
	edge *edgeRules
	next atomic.Uint32
}

// pick returns the next backend in round-robin order that accepts the
// request (see backend.tryAcquire), or nil when none does.
func (rt *route) pick() *backend {
	n := uint32(len(rt.backends))
	if n == 0 {
		return nil
	}
	start := rt.next.Add(1)
	for i := range n {
		if b := rt.backends[(start+i)%n]; b.tryAcquire() {
			return b
		}
	}
	return nil
}

// pickOther is pick without the backend not, and without moving the
// round-robin counter.
func (rt *route) pickOther(not *backend) *backend {
	n := uint32(len(rt.backends))
	start := rt.next.Load()
	for i := range n {
		if b := rt.backends[(start+i)%n]; b != not && b.tryAcquire() {
			return b
		}
	}
	return nil
}

// table is an immutable snapshot of all routes. Writers copy it, change the
// copy and swap it in; readers load it with one atomic read and no lock.
type table struct {
	hosts map[string]*route // host key -> route
	apps  map[string]*route // app name -> route
}

func emptyTable() *table {
	return &table{hosts: map[string]*route{}, apps: map[string]*route{}}
}

// without returns a copy of t without app's route and host names.
func (t *table) without(app string) *table {
	nt := &table{
		hosts: make(map[string]*route, len(t.hosts)),
		apps:  make(map[string]*route, len(t.apps)),
	}
	for h, rt := range t.hosts {
		if rt.app != app {
			nt.hosts[h] = rt
		}
	}
	for a, rt := range t.apps {
		if a != app {
			nt.apps[a] = rt
		}
	}
	return nt
}

// with returns a copy of t in which rt replaces any earlier route of its
// app. A host name another app holds moves to rt (last writer wins).
func (t *table) with(rt *route) *table {
	nt := t.without(rt.app)
	nt.apps[rt.app] = rt
	for _, h := range rt.hosts {
		nt.hosts[h] = rt
	}
	return nt
}
