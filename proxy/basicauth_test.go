package proxy

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
)

// TestBasicAuthFloodStaysInItsApp floods app A with wrong basic-auth
// passwords whose checks are held by a hook, so A's queue is full, and
// shows that app B's users still get in and that A's extra attempts are
// turned away at once with 429 instead of piling up.
func TestBasicAuthFloodStaysInItsApp(t *testing.T) {
	hashA, err := password.Hash("a-secret")
	require.NoError(t, err)
	hashB, err := password.Hash("b-secret")
	require.NoError(t, err)
	p, srv := newTestProxy(t, Options{})
	gate := make(chan struct{})
	var heldA atomic.Int32
	p.checkPassword = func(ctx context.Context, hash, pw string) error {
		if hash == hashA {
			heldA.Add(1)
			<-gate
		}
		return password.CheckContext(ctx, hash, pw)
	}
	be := startBackend(t, "app", nil)
	p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test"}, Backends: []string{addrOf(be)},
		Edge: engine.Edge{BasicAuthUser: "ann", BasicAuthHash: hashA}})
	p.SetRoute(engine.Route{App: "b", Hosts: []string{"b.test"}, Backends: []string{addrOf(be)},
		Edge: engine.Edge{BasicAuthUser: "bob", BasicAuthHash: hashB}})
	c := newClient()
	// The flood's requests are held until the gate opens, after every
	// other step: on a loaded machine that can outlast newClient's 10 s.
	c.Timeout = 2 * time.Minute
	send := func(host, user, pw string) response {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		if err != nil {
			return response{}
		}
		req.Host = host
		req.SetBasicAuth(user, pw)
		res, err := c.Do(req)
		if err != nil {
			return response{}
		}
		res.Body.Close()
		return response{status: res.StatusCode, header: res.Header}
	}

	var wg sync.WaitGroup
	flood := make([]int, authQueueLen)
	for i := range authQueueLen {
		wg.Go(func() { flood[i] = send("a.test", "ann", fmt.Sprintf("wrong-%d", i)).status })
	}
	queueA := func() int32 {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.authQueues["a"].pending.Load()
	}
	eventually(t, 10*time.Second, "app A's queue to fill", func() bool {
		return queueA() == authQueueLen && heldA.Load() == authSlots
	})

	r := send("a.test", "ann", "one-more")
	assert.Equal(t, http.StatusTooManyRequests, r.status, "A's full queue turns the attempt away")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, send("b.test", "bob", "b-secret").status, "B's user gets in while A's checks are stuck")
	assert.Equal(t, http.StatusUnauthorized, send("b.test", "bob", "wrong").status, "B still checks passwords")
	assert.Equal(t, int32(authSlots), heldA.Load(), "A's waiting checks did not run")

	close(gate)
	wg.Wait()
	for i, s := range flood {
		assert.Equal(t, http.StatusUnauthorized, s, "flood request %d", i)
	}
	assert.Zero(t, queueA(), "A's queue is empty again")
	assert.Equal(t, http.StatusOK, send("a.test", "ann", "a-secret").status)
}

// TestAuthQueueOutlivesRouteChanges shows that setting an app's route
// again keeps its queue (a flood cannot reset it) and that removing the
// app drops it.
func TestAuthQueueOutlivesRouteChanges(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	edge := engine.Edge{BasicAuthUser: "ann", BasicAuthHash: "x"}
	p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test"}, Edge: edge})
	first := p.table.Load().apps["a"].edge.auth.queue
	p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test", "www.a.test"}, Edge: edge})
	assert.Same(t, first, p.table.Load().apps["a"].edge.auth.queue)
	p.RemoveRoute("a")
	assert.NotContains(t, p.authQueues, "a")
}

func TestAuthQueueBounds(t *testing.T) {
	q := newAuthQueue()
	ctx := t.Context()
	for range authSlots {
		require.True(t, q.enter(ctx))
	}
	ctx2, cancel := contextWithTimeout(t, time.Hour)
	waited := make(chan bool)
	go func() { waited <- q.enter(ctx2) }()
	eventually(t, 5*time.Second, "the waiter to queue", func() bool { return q.pending.Load() == authSlots+1 })
	cancel()
	assert.False(t, <-waited, "a waiter whose client went away gives up")
	assert.Equal(t, int32(authSlots), q.pending.Load())
	q.pending.Store(authQueueLen)
	assert.False(t, q.enter(ctx), "a full queue refuses at once")
	assert.Equal(t, int32(authQueueLen), q.pending.Load())
}
