package receive

import (
	"context"
	"errors"
	"sync"
)

// errSuperseded is returned to a waiter that a newer waiter replaced.
var errSuperseded = errors.New("superseded by a newer push")

// keyedMutex serializes work per key (per app). At most one waiter queues
// behind the holder: a newer waiter replaces it, as a newer push to an app
// makes a queued one pointless. Waiters also give up when their context ends.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	ch     chan struct{} // holds a token while locked
	refs   int           // holders and waiters; the entry goes when it drops to 0
	waiter chan struct{} // closed to evict the queued waiter, nil if none
}

func newKeyedMutex() *keyedMutex {
	return &keyedMutex{m: make(map[string]*keyedEntry)}
}

// lock takes the lock for key, calling onWait first if it has to wait. It
// returns errSuperseded if a newer caller queued for the same key while it
// waited. The returned unlock must be called exactly once.
func (k *keyedMutex) lock(ctx context.Context, key string, onWait func()) (unlock func(), err error) {
	e := k.ref(key)
	select {
	case e.ch <- struct{}{}:
		return k.unlocker(key, e), nil
	default:
	}
	if onWait != nil {
		onWait()
	}
	evicted := k.queue(e)
	select {
	case e.ch <- struct{}{}:
		k.dequeue(e, evicted)
		return k.unlocker(key, e), nil
	case <-evicted:
		k.unref(key, e)
		return nil, errSuperseded
	case <-ctx.Done():
		k.dequeue(e, evicted)
		k.unref(key, e)
		return nil, ctx.Err()
	}
}

func (k *keyedMutex) unlocker(key string, e *keyedEntry) func() {
	return func() {
		<-e.ch
		k.unref(key, e)
	}
}

// queue makes the caller e's queued waiter, evicting the previous one.
func (k *keyedMutex) queue(e *keyedEntry) chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.waiter != nil {
		close(e.waiter)
	}
	e.waiter = make(chan struct{})
	return e.waiter
}

// dequeue forgets the caller's place in the queue if it still holds it.
func (k *keyedMutex) dequeue(e *keyedEntry, mine chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.waiter == mine {
		e.waiter = nil
	}
}

func (k *keyedMutex) ref(key string) *keyedEntry {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.m[key]
	if !ok {
		e = &keyedEntry{ch: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.refs++
	return e
}

func (k *keyedMutex) unref(key string, e *keyedEntry) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(k.m, key)
	}
}
