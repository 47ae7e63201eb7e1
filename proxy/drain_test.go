package proxy

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// switchBackend is one release's container in the switch test.
type switchBackend struct {
	name    string
	srv     *httptest.Server
	hits    atomic.Int64
	drained atomic.Bool
}

// TestSwitch hammers the proxy from several keep-alive clients while it
// switches an app from one backend to the next, drains the old one and
// closes it, twenty times over. No request may fail, and no request may
// reach a backend after its Drain returned.
func TestSwitch(t *testing.T) {
	log, logs := newCountingLogger()
	p, srv := newTestProxy(t, Options{Logger: log})
	var late atomic.Int64
	start := func(name string) *switchBackend {
		b := &switchBackend{name: name}
		b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if b.drained.Load() {
				late.Add(1)
			}
			b.hits.Add(1)
			time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond) // some work, so requests overlap the switch
			_, _ = io.WriteString(w, name)
		}))
		t.Cleanup(b.srv.Close)
		return b
	}

	var ok, failed atomic.Int64
	var errMu sync.Mutex
	var firstErrs []string
	fail := func(msg string) {
		failed.Add(1)
		errMu.Lock()
		defer errMu.Unlock()
		if len(firstErrs) < 5 {
			firstErrs = append(firstErrs, msg)
		}
	}
	route := func(b *switchBackend) {
		p.SetRoute(engine.Route{App: "switch", Hosts: []string{"switch.example.test"}, Backends: []string{addrOf(b.srv)}})
	}
	cur := start("b0")
	route(cur)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			c := newClient()
			defer c.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				req.Host = "switch.example.test"
				res, err := c.Do(req)
				if err != nil {
					fail(err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					fail(res.Status)
					continue
				}
				ok.Add(1)
			}
		})
	}
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopLoad()

	for i := 1; i <= 20; i++ {
		eventually(t, 10*time.Second, "traffic on "+cur.name, func() bool { return cur.hits.Load() >= 150 })
		next := start(fmt.Sprintf("b%d", i))
		route(next)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		require.NoError(t, p.Drain(ctx, addrOf(cur.srv)), "drain %s", cur.name)
		cancel()
		cur.drained.Store(true)
		assert.Zero(t, p.conns.count(addrOf(cur.srv)), "idle connections to %s are closed", cur.name)
		cur.srv.Close()
		cur = next
	}
	eventually(t, 10*time.Second, "traffic on "+cur.name, func() bool { return cur.hits.Load() >= 150 })
	stopLoad()

	t.Logf("%d requests succeeded across 20 switches", ok.Load())
	assert.Zero(t, failed.Load(), "failed requests: %v", firstErrs)
	assert.Zero(t, late.Load(), "requests that reached a backend after its Drain returned")
	assert.Zero(t, logs.count("backend refused connection, retrying"), "no request was sent to a closed backend")
	assert.Empty(t, logs.warnings())
	assert.Positive(t, ok.Load())
	p.mu.Lock()
	assert.Len(t, p.backends, 1, "drained backends are forgotten")
	p.mu.Unlock()
}

func TestDrain(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	slow := startBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			entered <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "slow")
	})
	fast := startBackend(t, "fast", nil)
	c := newClient()
	p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.example.test"}, Backends: []string{addrOf(slow)}})

	t.Run("honours the ctx deadline while a request hangs", func(t *testing.T) {
		hung := make(chan response, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/hang", nil)
			req.Host = "d.example.test"
			res, err := c.Do(req)
			if err != nil {
				hung <- response{status: -1}
				return
			}
			b, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			hung <- response{status: res.StatusCode, body: string(b)}
		}()
		within(t, entered, 5*time.Second, "the request to reach the backend")

		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		drained := make(chan error, 1)
		go func() { drained <- p.Drain(ctx, addrOf(slow)) }()
		// DeadlineExceeded: Drain waited for the request until ctx's deadline.
		assert.ErrorIs(t, within(t, drained, 10*time.Second, "Drain to give up at ctx's deadline"), context.DeadlineExceeded)

		r := get(t, c, srv.URL, "d.example.test")
		assert.Equal(t, http.StatusServiceUnavailable, r.status, "a draining backend gets no new request")

		close(release)
		r = within(t, hung, 5*time.Second, "the hung request")
		assert.Equal(t, http.StatusOK, r.status, "the drained request still finishes")
		assert.NoError(t, p.Drain(t.Context(), addrOf(slow)))
	})

	t.Run("SetRoute naming a drained backend brings it back", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.example.test"}, Backends: []string{addrOf(slow)}})
		assert.Equal(t, "slow", get(t, c, srv.URL, "d.example.test").body)
	})

	t.Run("draining one backend of a route sends traffic to the others", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.example.test"}, Backends: []string{addrOf(slow), addrOf(fast)}})
		require.NoError(t, p.Drain(t.Context(), addrOf(slow)))
		for range 6 {
			assert.Equal(t, "fast", get(t, c, srv.URL, "d.example.test").body)
		}
	})

	t.Run("closes idle connections and forgets removed backends", func(t *testing.T) {
		p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.example.test"}, Backends: []string{addrOf(fast)}})
		get(t, c, srv.URL, "d.example.test")
		require.Positive(t, p.conns.count(addrOf(fast)))
		p.SetRoute(engine.Route{App: "d", Hosts: []string{"d.example.test"}, Backends: []string{addrOf(slow)}})
		require.NoError(t, p.Drain(t.Context(), addrOf(fast)))
		assert.Zero(t, p.conns.count(addrOf(fast)))
		p.mu.Lock()
		assert.NotContains(t, p.backends, addrOf(fast))
		p.mu.Unlock()
		assert.Equal(t, "slow", get(t, c, srv.URL, "d.example.test").body)
	})

	t.Run("unknown address is already drained", func(t *testing.T) {
		assert.NoError(t, p.Drain(t.Context(), "127.0.0.1:1"))
	})

	t.Run("concurrent drains of one address all return", func(t *testing.T) {
		entered2 := make(chan struct{}, 1)
		release2 := make(chan struct{})
		hang := startBackend(t, "hang", func(w http.ResponseWriter, r *http.Request) {
			entered2 <- struct{}{}
			<-release2
		})
		p.SetRoute(engine.Route{App: "h", Hosts: []string{"h.example.test"}, Backends: []string{addrOf(hang)}})
		reqDone := make(chan struct{})
		go func() {
			defer close(reqDone)
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Host = "h.example.test"
			if res, err := c.Do(req); err == nil {
				_ = res.Body.Close()
			}
		}()
		within(t, entered2, 5*time.Second, "the request to reach the backend")
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				errs <- p.Drain(ctx, addrOf(hang))
			}()
		}
		eventually(t, 5*time.Second, "the drains to mark the backend", func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.backends[addrOf(hang)].draining.Load()
		})
		close(release2)
		for range 3 {
			assert.NoError(t, within(t, errs, 5*time.Second, "a drain"))
		}
		within(t, reqDone, 5*time.Second, "the request")
	})
}

// TestAcquireDrainRace checks the counting protocol in isolation: requests
// that pick a backend from an old snapshot while it is drained must either
// be waited for or move to the current backends.
func TestAcquireDrainRace(t *testing.T) {
	p := New(Options{})
	defer p.Close()
	for round := range 50 {
		a, b := fmt.Sprintf("10.0.0.1:%d", round+1000), fmt.Sprintf("10.0.0.2:%d", round+1000)
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{a}})
		var drained atomic.Bool
		var violations atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 200 {
					_, be := p.acquire("r.test")
					if be == nil {
						continue
					}
					if be.addr == a && drained.Load() {
						violations.Add(1)
					}
					be.release()
				}
			})
		}
		p.SetRoute(engine.Route{App: "r", Hosts: []string{"r.test"}, Backends: []string{b}})
		require.NoError(t, p.Drain(t.Context(), a))
		drained.Store(true)
		wg.Wait()
		require.Zero(t, violations.Load(), "round %d", round)
	}
}

// TestLateFinishDrain covers a Drain that finishes after its backend was
// forgotten and its address given to a new backend: it must not close the
// new backend's connections.
func TestLateFinishDrain(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	a := startBackend(t, "a", nil)
	other := startBackend(t, "other", nil)
	c := newClient()
	route := func(addr string) {
		p.SetRoute(engine.Route{App: "l", Hosts: []string{"l.example.test"}, Backends: []string{addr}})
	}
	route(addrOf(a))
	p.mu.Lock()
	old := p.backends[addrOf(a)]
	p.mu.Unlock()
	require.True(t, old.tryAcquire())
	route(addrOf(other)) // old is busy, so it stays known
	old.release()        // as if Drain's wait had just ended
	route(addrOf(other)) // a sweep forgets old
	route(addrOf(a))     // a new backend gets the address
	require.Equal(t, "a", get(t, c, srv.URL, "l.example.test").body)
	require.Positive(t, p.conns.count(addrOf(a)))

	p.finishDrain(old)
	assert.Positive(t, p.conns.count(addrOf(a)), "the new backend keeps its connections")
	assert.Equal(t, "a", get(t, c, srv.URL, "l.example.test").body)
}
