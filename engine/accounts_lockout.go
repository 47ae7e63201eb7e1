package engine

import (
	"context"
	"sync"
	"time"
)

// DefaultLockedDelay is how long each sign-in attempt on an account in
// lockout waits before its password is checked (see AccountsConfig).
const DefaultLockedDelay = time.Second

// lockoutGate lets attempts on accounts in lockout through one at a time
// per account, so that guesses from many addresses at one account are
// slowed to one per LockedDelay, while its owner, with the right password,
// still gets in.
type lockoutGate struct {
	mu sync.Mutex
	m  map[string]*gateTurn
}

// gateTurn is one account's turn: a one-slot semaphore and how many
// attempts hold or wait for it (the entry goes when none do).
type gateTurn struct {
	slot chan struct{}
	refs int
}

// wait takes account's turn, then waits delay; it returns the function
// that ends the turn, or ctx's error (having nothing to end).
func (g *lockoutGate) wait(ctx context.Context, account string, delay time.Duration) (func(), error) {
	t := g.join(account)
	select {
	case t.slot <- struct{}{}:
	case <-ctx.Done():
		g.leave(account, t, false)
		return nil, ctx.Err()
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return func() { g.leave(account, t, true) }, nil
	case <-ctx.Done():
		g.leave(account, t, true)
		return nil, ctx.Err()
	}
}

func (g *lockoutGate) join(account string) *gateTurn {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*gateTurn{}
	}
	t := g.m[account]
	if t == nil {
		t = &gateTurn{slot: make(chan struct{}, 1)}
		g.m[account] = t
	}
	t.refs++
	return t
}

func (g *lockoutGate) leave(account string, t *gateTurn, held bool) {
	if held {
		<-t.slot
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.refs--; t.refs == 0 {
		delete(g.m, account)
	}
}
