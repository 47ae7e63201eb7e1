package proxy

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// connTracker remembers the open connections to each backend address, so
// that Drain can close the idle keep-alive connections to one backend
// without disturbing the shared pool's connections to the others.
type connTracker struct {
	// straggle is how long after closeAll a dial to the address is refused:
	// the pool may finish, in the background, a dial started before the
	// drain for a request that then used another connection.
	straggle time.Duration

	mu     sync.Mutex
	conns  map[string]map[*trackedConn]struct{}
	closed map[string]time.Time // address -> when closeAll ran
}

var errDrained = errors.New("backend is drained")

func newConnTracker(dialTimeout time.Duration) *connTracker {
	return &connTracker{
		straggle: 2 * dialTimeout,
		conns:    map[string]map[*trackedConn]struct{}{},
		closed:   map[string]time.Time{},
	}
}

// dialer wraps dial so that every connection it makes is tracked.
func (t *connTracker) dialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return t.track(c, addr)
	}
}

// track registers c, or closes it when addr was drained meanwhile.
func (t *connTracker) track(c net.Conn, addr string) (net.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.closed[addr]; ok {
		_ = c.Close()
		return nil, errDrained
	}
	tc := &trackedConn{Conn: c, t: t, addr: addr}
	set := t.conns[addr]
	if set == nil {
		set = map[*trackedConn]struct{}{}
		t.conns[addr] = set
	}
	set[tc] = struct{}{}
	return tc, nil
}

func (t *connTracker) forget(tc *trackedConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	set := t.conns[tc.addr]
	delete(set, tc)
	if len(set) == 0 {
		delete(t.conns, tc.addr)
	}
}

// closeAll closes every connection to addr and refuses new ones until
// reopen. Call it only when no request is in flight to addr and none will
// be sent, so that every connection to it is idle.
func (t *connTracker) closeAll(addr string) {
	t.mu.Lock()
	set := t.conns[addr]
	delete(t.conns, addr)
	now := time.Now()
	for a, at := range t.closed {
		if now.Sub(at) > t.straggle {
			delete(t.closed, a) // no dial started before that drain is still running
		}
	}
	t.closed[addr] = now
	t.mu.Unlock()
	for tc := range set {
		_ = tc.Conn.Close() // the pool notices the close and drops the connection
	}
}

// reopen allows connections to addr again after closeAll.
func (t *connTracker) reopen(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.closed, addr)
}

// count returns how many connections to addr are open.
func (t *connTracker) count(addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns[addr])
}

// trackedConn is a connection that leaves its tracker when closed.
type trackedConn struct {
	net.Conn
	t    *connTracker
	addr string
}

// Close forgets the connection and closes it.
func (c *trackedConn) Close() error {
	c.t.forget(c)
	return c.Conn.Close()
}
