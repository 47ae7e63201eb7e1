package proxy

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeAddr is a backend address in TEST-NET-1; tests never send to it.
func fakeAddr(i int) string { return fmt.Sprintf("192.0.2.%d:%d", i%250+1, 10000+i) }

func TestTable(t *testing.T) {
	t.Run("500 apps", func(t *testing.T) {
		p, srv := newTestProxy(t, Options{})
		live := startBackend(t, "live", nil)
		for i := range 500 {
			be := fakeAddr(i)
			if i == 250 {
				be = addrOf(live)
			}
			p.SetRoute(engine.Route{App: fmt.Sprintf("app-%d", i), Hosts: []string{fmt.Sprintf("app-%d.example.test", i)}, Backends: []string{be}})
		}
		tab := p.table.Load()
		require.Len(t, tab.apps, 500)
		require.Len(t, tab.hosts, 500)
		for i := range 500 {
			rt := tab.hosts[hostKey(fmt.Sprintf("App-%d.Example.Test:443", i))]
			require.NotNil(t, rt, i)
			assert.Equal(t, fmt.Sprintf("app-%d", i), rt.app)
		}
		assert.Equal(t, "live", get(t, newClient(), srv.URL, "app-250.example.test").body)

		for i := 0; i < 500; i += 2 {
			p.RemoveRoute(fmt.Sprintf("app-%d", i))
		}
		tab = p.table.Load()
		assert.Len(t, tab.apps, 250)
		assert.Nil(t, tab.hosts["app-0.example.test"])
		assert.NotNil(t, tab.hosts["app-1.example.test"])
		assert.Equal(t, http.StatusNotFound, get(t, newClient(), srv.URL, "app-250.example.test").status)
		p.mu.Lock()
		assert.Len(t, p.backends, 250, "backends of removed apps are forgotten")
		p.mu.Unlock()
	})

	t.Run("snapshots are never modified", func(t *testing.T) {
		p := New(Options{})
		p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test"}, Backends: []string{fakeAddr(1)}})
		old := p.table.Load()
		oldRoute := old.apps["a"]
		p.SetRoute(engine.Route{App: "a", Hosts: []string{"b.test"}, Backends: []string{fakeAddr(2)}})
		p.SetRoute(engine.Route{App: "c", Hosts: []string{"c.test"}})
		assert.Len(t, old.apps, 1)
		assert.Same(t, oldRoute, old.hosts["a.test"])
		assert.Equal(t, fakeAddr(1), oldRoute.backends[0].addr)
		assert.NotSame(t, old, p.table.Load())
		assert.True(t, oldRoute.backends[0].draining.Load(), "the replaced backend is marked draining")
	})

	t.Run("lookup does not allocate", func(t *testing.T) {
		p := New(Options{})
		for i := range 500 {
			p.SetRoute(engine.Route{App: fmt.Sprintf("app-%d", i), Hosts: []string{fmt.Sprintf("app-%d.example.test", i)}})
		}
		allocs := testing.AllocsPerRun(100, func() { _, _ = p.acquire(hostKey("app-77.example.test:80")) })
		assert.Zero(t, allocs)
	})
}
