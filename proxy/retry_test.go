package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestRetryOnRefusedConnection(t *testing.T) {
	log, logs := newCountingLogger()
	p, srv := newTestProxy(t, Options{Logger: log})
	live := startBackend(t, "live", nil)
	dead, dead2 := deadAddr(t), deadAddr(t)
	c := newClient()
	const retried = "backend refused connection, retrying"

	t.Run("replayable requests move to another backend", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.example.test"}, Backends: []string{dead, addrOf(live)}})
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions} {
			for range 2 { // round robin: one of the two starts on the dead backend
				r := do(t, c, m, srv.URL, "r.example.test", nil)
				assert.Equal(t, http.StatusOK, r.status, m)
				assert.Equal(t, "live", r.header.Get("X-Backend"), m)
			}
		}
		assert.Equal(t, 4, logs.count(retried))
	})

	t.Run("requests with a body are not replayed", func(t *testing.T) {
		statuses := map[int]int{}
		for range 2 {
			statuses[do(t, c, http.MethodPost, srv.URL, "r.example.test", strings.NewReader("payload")).status]++
		}
		assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusBadGateway: 1}, statuses)
	})

	t.Run("non-idempotent method is not replayed", func(t *testing.T) {
		statuses := map[int]int{}
		for range 2 {
			statuses[do(t, c, http.MethodPost, srv.URL, "r.example.test", nil).status]++
		}
		assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusBadGateway: 1}, statuses)
	})

	t.Run("retry happens once", func(t *testing.T) {
		before := logs.count(retried)
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.example.test"}, Backends: []string{dead, dead2}})
		r := get(t, c, srv.URL, "r.example.test")
		assert.Equal(t, http.StatusBadGateway, r.status)
		assertBland(t, r, dead, dead2)
		assert.Equal(t, before+1, logs.count(retried))
	})

	t.Run("no other backend gives 502", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.example.test"}, Backends: []string{dead}})
		assert.Equal(t, http.StatusBadGateway, get(t, c, srv.URL, "r.example.test").status)
	})

	t.Run("retried request is counted in flight", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.example.test"}, Backends: []string{dead, addrOf(live)}})
		for range 4 {
			assert.Equal(t, http.StatusOK, get(t, c, srv.URL, "r.example.test").status)
		}
		eventually(t, 5*time.Second, "every request to be released", func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			for _, b := range p.backends {
				if b.inflight.Load() != 0 {
					return false
				}
			}
			return true
		})
	})
}
