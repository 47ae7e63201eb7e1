package receive

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
)

// push is one SSH session running git-receive-pack. Its id reaches the
// pre-receive hook through the environment (EnvPushID) and ties the hook
// call to the session: its app, its author and its lifetime.
type push struct {
	id     string
	app    string
	author string
	gitDir string
	// ctx ends with the SSH session, its timeout or the server.
	ctx     context.Context
	claimed bool
}

// logID is the start of the id, enough to follow a push through the logs
// without writing down a credential for the hook socket.
func (p *push) logID() string { return p.id[:8] }

// pushRegistry holds the pushes in flight.
type pushRegistry struct {
	mu sync.Mutex
	m  map[string]*push
}

func newPushRegistry() *pushRegistry {
	return &pushRegistry{m: make(map[string]*push)}
}

// add registers a push under a fresh random id.
func (r *pushRegistry) add(ctx context.Context, app, author, gitDir string) (*push, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate push id: %w", err)
	}
	p := &push{id: hex.EncodeToString(b), app: app, author: author, gitDir: gitDir, ctx: ctx}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[p.id] = p
	return p, nil
}

// remove forgets a push; its id is refused from then on.
func (r *pushRegistry) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, id)
}

// claim returns the live push with this id. Each id may be claimed once:
// git runs the pre-receive hook once per push.
func (r *pushRegistry) claim(id string) (*push, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.m[id]
	if !ok || p.claimed || p.ctx.Err() != nil {
		return nil, false
	}
	p.claimed = true
	return p, true
}
