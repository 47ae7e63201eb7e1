package engine

import (
	"context"
	"sync"
)

// appLocks serializes changes to one app while letting different apps
// proceed in parallel. A holder can be asked to give up through the cancel
// function registered with the lock.
type appLocks struct {
	mu    sync.Mutex
	locks map[string]*appLock
}

type appLock struct {
	sem    chan struct{}
	cancel context.CancelFunc // cancels the current holder's work
	users  int
}

func newAppLocks() *appLocks { return &appLocks{locks: map[string]*appLock{}} }

// lock waits until app is free or ctx ends. It returns a context that is
// cancelled when the holder is told to stop (see cancelHolder) or ctx ends,
// and the function that releases the lock.
func (l *appLocks) lock(ctx context.Context, app string) (context.Context, func(), error) {
	al := l.acquireEntry(app)
	select {
	case al.sem <- struct{}{}:
	case <-ctx.Done():
		l.releaseEntry(app)
		return nil, nil, ctx.Err()
	}
	hctx, cancel := context.WithCancel(ctx)
	l.mu.Lock()
	al.cancel = cancel
	l.mu.Unlock()
	unlock := func() {
		l.mu.Lock()
		al.cancel = nil
		l.mu.Unlock()
		cancel()
		<-al.sem
		l.releaseEntry(app)
	}
	return hctx, unlock, nil
}

// busy reports whether someone holds the lock of app.
func (l *appLocks) busy(app string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	al := l.locks[app]
	return al != nil && len(al.sem) > 0
}

// cancelHolder cancels the work of whoever holds app's lock, if anyone.
func (l *appLocks) cancelHolder(app string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if al := l.locks[app]; al != nil && al.cancel != nil {
		al.cancel()
	}
}

func (l *appLocks) acquireEntry(app string) *appLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	al := l.locks[app]
	if al == nil {
		al = &appLock{sem: make(chan struct{}, 1)}
		l.locks[app] = al
	}
	al.users++
	return al
}

func (l *appLocks) releaseEntry(app string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	al := l.locks[app]
	al.users--
	if al.users == 0 {
		delete(l.locks, app)
	}
}
