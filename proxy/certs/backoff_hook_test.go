package certs

import (
	"context"
	"log/slog"
	"sync"
	"testing"
)

// backoffSeen notes the hosts whose next attempt the manager holds back
// for the backoff (its "waiting before retrying" log), so a test can see
// the wait begin instead of sleeping and hoping no retry shows.
type backoffSeen struct {
	slog.Handler
	mu    *sync.Mutex
	hosts map[string]bool
}

// watch makes cfg's logger report to b as well.
func (b *backoffSeen) watch(t *testing.T) func(*Config) {
	return func(cfg *Config) {
		b.mu, b.hosts = &sync.Mutex{}, map[string]bool{}
		b.Handler = testLogger(t).Handler()
		cfg.Logger = slog.New(b)
	}
}

func (b *backoffSeen) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "waiting before retrying a failed certificate" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "host" {
				b.mu.Lock()
				b.hosts[a.Value.String()] = true
				b.mu.Unlock()
			}
			return true
		})
	}
	return b.Handler.Handle(ctx, r)
}

func (b *backoffSeen) WithAttrs(as []slog.Attr) slog.Handler {
	return &backoffSeen{Handler: b.Handler.WithAttrs(as), mu: b.mu, hosts: b.hosts}
}

func (b *backoffSeen) WithGroup(name string) slog.Handler {
	return &backoffSeen{Handler: b.Handler.WithGroup(name), mu: b.mu, hosts: b.hosts}
}

// waiting reports whether the manager held host back for its backoff.
func (b *backoffSeen) waiting(host string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hosts[host]
}
