package receive

import (
	"context"
	"sync"
)

// keyedMutex serializes work per key (per app). Waiters give up when their
// context ends.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	ch   chan struct{} // holds a token while locked
	refs int           // holders and waiters; the entry goes when it drops to 0
}

func newKeyedMutex() *keyedMutex {
	return &keyedMutex{m: make(map[string]*keyedEntry)}
}

// lock takes the lock for key, calling onWait first if it has to wait. The
// returned unlock must be called exactly once.
func (k *keyedMutex) lock(ctx context.Context, key string, onWait func()) (unlock func(), err error) {
	e := k.ref(key)
	select {
	case e.ch <- struct{}{}:
	default:
		if onWait != nil {
			onWait()
		}
		select {
		case e.ch <- struct{}{}:
		case <-ctx.Done():
			k.unref(key, e)
			return nil, ctx.Err()
		}
	}
	return func() {
		<-e.ch
		k.unref(key, e)
	}, nil
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
