package password

import (
	"context"
	"sync"
)

// MaxMemoryKiB is the ceiling on the memory all argon2id runs of the
// process take at once: 80 MiB, that is four runs at the parameters of new
// hashes (19 MiB each). Each run reserves the memory its parameters ask
// for before it starts and waits, in arrival order, while the reservation
// would pass the ceiling; so a flood of sign-ins (or of basic-auth
// requests) queues instead of taking the daemon's memory. A stored hash
// whose parameters ask for more than the ceiling is refused as malformed.
const MaxMemoryKiB = 80 * 1024

// runs is the process-wide reservation of argon2id memory.
var runs = newLimiter(MaxMemoryKiB)

// limiter is a weighted semaphore: reservations of n units out of max,
// granted in arrival order.
type limiter struct {
	mu      sync.Mutex
	free    int64
	waiters []*waiter
	// inUse and peak are what is reserved now and at most (for tests).
	inUse, peak int64
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newLimiter(max int64) *limiter {
	return &limiter{free: max}
}

// acquire reserves n units, waiting while they are not free; it returns
// ctx's error, having reserved nothing, when ctx ends first.
func (l *limiter) acquire(ctx context.Context, n int64) error {
	l.mu.Lock()
	if len(l.waiters) == 0 && l.free >= n {
		l.take(n)
		l.mu.Unlock()
		return nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		l.abandon(w)
		return ctx.Err()
	}
}

// abandon withdraws w; if it was granted meanwhile, gives its units back.
func (l *limiter) abandon(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-w.ready:
		l.giveBack(w.n)
		return
	default:
	}
	for i, x := range l.waiters {
		if x == w {
			l.waiters = append(l.waiters[:i:i], l.waiters[i+1:]...)
			break
		}
	}
	l.grant() // w may have blocked smaller waiters behind it
}

// release gives back n units reserved by acquire.
func (l *limiter) release(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.giveBack(n)
}

func (l *limiter) take(n int64) {
	l.free -= n
	l.inUse += n
	l.peak = max(l.peak, l.inUse)
}

func (l *limiter) giveBack(n int64) {
	l.free += n
	l.inUse -= n
	l.grant()
}

// grant wakes the waiters at the head of the queue that now fit.
func (l *limiter) grant() {
	for len(l.waiters) > 0 && l.waiters[0].n <= l.free {
		w := l.waiters[0]
		l.waiters = l.waiters[1:]
		l.take(w.n)
		close(w.ready)
	}
}

// stats returns what is reserved now and at most so far.
func (l *limiter) stats() (inUse, peak int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inUse, l.peak
}
