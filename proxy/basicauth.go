package proxy

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/quayside/quayside/internal/password"
)

// Checking a basic-auth password runs a memory-hard hash that takes tens of
// milliseconds. Each app checks in its own queue (authQueue), so one app's
// flood of bad attempts fills that app's queue and no other's; a request
// that finds its app's queue full is answered 429 at once instead of
// waiting.
const (
	// authSlots is how many of one app's checks run at once.
	authSlots = 2
	// authQueueLen bounds one app's checks running or waiting for a slot;
	// beyond it a request is answered 429 with Retry-After.
	authQueueLen = 16
)

// authQueue bounds one app's password checks. It lives as long as the
// app's route, across SetRoute calls, so a route change does not hand a
// flood an empty queue.
type authQueue struct {
	slots   chan struct{}
	pending atomic.Int32 // checks running or waiting
}

func newAuthQueue() *authQueue {
	return &authQueue{slots: make(chan struct{}, authSlots)}
}

// enter takes a slot for one check, waiting behind the app's other checks.
// It returns false at once when authQueueLen checks are already running or
// waiting, and false when ctx ends first. After true, the caller calls leave.
func (q *authQueue) enter(ctx context.Context) bool {
	if q.pending.Add(1) > authQueueLen {
		q.pending.Add(-1)
		return false
	}
	select {
	case q.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		q.pending.Add(-1)
		return false
	}
}

// leave gives back the slot enter took.
func (q *authQueue) leave() {
	<-q.slots
	q.pending.Add(-1)
}

// authQueueOf returns app's check queue, making it on first use. p.mu is held.
func (p *Proxy) authQueueOf(app string) *authQueue {
	q := p.authQueues[app]
	if q == nil {
		q = newAuthQueue()
		p.authQueues[app] = q
	}
	return q
}

// verdict is the outcome of checking a request's basic credentials.
type verdict int

const (
	denied  verdict = iota // missing or wrong credentials: 401
	allowed                // the credentials match: forward
	busy                   // the app's check queue is full: 429
)

// basicAuth checks HTTP basic credentials against a memory-hard hash.
// Verdicts are cached by a digest of the credentials; checks wait in the
// app's queue.
type basicAuth struct {
	realm, user, hash string
	queue             *authQueue
	check             func(ctx context.Context, hash, pw string) error
	mu                sync.Mutex
	verdicts          map[[32]byte]bool
}

// maxVerdicts bounds the cache of checked credentials per app.
const maxVerdicts = 256

// judge returns the verdict on r's basic credentials.
func (a *basicAuth) judge(r *http.Request) verdict {
	user, pw, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(a.user)) != 1 {
		return denied
	}
	key := sha256.Sum256([]byte(user + "\x00" + pw))
	a.mu.Lock()
	v, seen := a.verdicts[key]
	a.mu.Unlock()
	if seen {
		return asVerdict(v)
	}
	if !a.queue.enter(r.Context()) {
		return busy
	}
	err := a.check(r.Context(), a.hash, pw)
	a.queue.leave()
	if err != nil && !errors.Is(err, password.ErrMismatch) {
		return denied // not a verdict on the password (the client left, or the hash is unreadable): not remembered
	}
	a.remember(key, err == nil)
	return asVerdict(err == nil)
}

func asVerdict(ok bool) verdict {
	if ok {
		return allowed
	}
	return denied
}

func (a *basicAuth) remember(key [32]byte, v bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.verdicts == nil || len(a.verdicts) >= maxVerdicts {
		a.verdicts = map[[32]byte]bool{}
	}
	a.verdicts[key] = v
}
