package proxy

import (
	"sync"
	"time"
)

// connPool keeps the idle keep-alive connections of the lean path to one
// backend. It is a stack: the connection used last is used first, so a
// steady load keeps reusing a few warm connections and the surplus of a
// burst ages at the bottom until it times out. It holds at most max idle
// connections (more are closed when returned) and closes those idle longer
// than timeout; connections in use are not counted or bounded, like
// http.Transport's with MaxConnsPerHost unset.
type connPool struct {
	max     int
	timeout time.Duration

	mu    sync.Mutex
	idle  []*upConn // oldest first
	armed bool      // a reap is scheduled
}

func newConnPool(max int, timeout time.Duration) *connPool {
	return &connPool{max: max, timeout: timeout}
}

// get returns the connection returned last, or nil when none is idle.
func (cp *connPool) get() *upConn {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	n := len(cp.idle)
	if n == 0 {
		return nil
	}
	uc := cp.idle[n-1]
	cp.idle[n-1] = nil
	cp.idle = cp.idle[:n-1]
	return uc
}

// put makes uc available again, or closes it when the pool is full.
func (cp *connPool) put(uc *upConn) {
	cp.mu.Lock()
	if len(cp.idle) >= cp.max {
		cp.mu.Unlock()
		uc.close()
		return
	}
	uc.idleSince = time.Now()
	uc.reused = true
	cp.idle = append(cp.idle, uc)
	arm := !cp.armed
	cp.armed = true
	cp.mu.Unlock()
	if arm {
		time.AfterFunc(cp.timeout, cp.reap)
	}
}

// reap closes the connections idle for timeout and schedules itself for
// the next one to expire.
func (cp *connPool) reap() {
	now := time.Now()
	cp.mu.Lock()
	n := 0
	for n < len(cp.idle) && now.Sub(cp.idle[n].idleSince) >= cp.timeout {
		n++
	}
	expired := cp.take(n)
	var next time.Duration
	if len(cp.idle) > 0 {
		next = cp.timeout - now.Sub(cp.idle[0].idleSince)
	} else {
		cp.armed = false
	}
	cp.mu.Unlock()
	closeAll(expired)
	if next > 0 {
		time.AfterFunc(next, cp.reap)
	}
}

// closeIdleSince closes the idle connections returned no later than t: when
// the backend closed a connection idle since t, it has likely closed the
// older ones too.
func (cp *connPool) closeIdleSince(t time.Time) {
	cp.mu.Lock()
	n := 0
	for n < len(cp.idle) && !cp.idle[n].idleSince.After(t) {
		n++
	}
	old := cp.take(n)
	cp.mu.Unlock()
	closeAll(old)
}

// closeIdle closes every idle connection.
func (cp *connPool) closeIdle() {
	cp.mu.Lock()
	all := cp.take(len(cp.idle))
	cp.mu.Unlock()
	closeAll(all)
}

// size returns the number of idle connections.
func (cp *connPool) size() int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return len(cp.idle)
}

// take removes and returns the n oldest idle connections. cp.mu is held.
func (cp *connPool) take(n int) []*upConn {
	if n == 0 {
		return nil
	}
	out := append([]*upConn(nil), cp.idle[:n]...)
	rest := copy(cp.idle, cp.idle[n:])
	clear(cp.idle[rest:])
	cp.idle = cp.idle[:rest]
	return out
}

func closeAll(ucs []*upConn) {
	for _, uc := range ucs {
		uc.close()
	}
}
