package engine

import (
	"context"
	"time"
)

// DefaultReapEvery is how often the daemon looks for expired previews.
const DefaultReapEvery = 5 * time.Second

// ReapPreviews destroys every preview that was not pushed for longer than
// its app's TTL, and those of apps whose previews were turned off, each
// with an EventPreviewExpired on its app. It returns how many it destroyed.
func (e *Engine) ReapPreviews(ctx context.Context) (int, error) {
	ps, err := e.cfg.Store.ListPreviews(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		if !e.previewExpired(ctx, p.Name) {
			continue
		}
		if err := e.destroyPreview(ctx, p, "idle past its TTL"); err != nil {
			e.log.Error("destroy expired preview", "preview", p.Name, "err", err)
			continue
		}
		e.emit(ctx, Event{App: p.App, Kind: EventPreviewExpired,
			Message: "preview of branch " + clipText(p.Branch, 80) + " expired: no push for " + formatTTL(e.now().Sub(p.PushedAt))})
		n++
	}
	return n, nil
}

// previewExpired reads the preview again (a push may have just renewed
// it) and reports whether its TTL has passed.
func (e *Engine) previewExpired(ctx context.Context, name string) bool {
	p, err := e.cfg.Store.FindPreview(ctx, name)
	if err != nil {
		return false
	}
	if e.locks.busy(name) {
		return false // a push in progress renews it
	}
	return !e.now().Before(p.PushedAt.Add(e.previewTTL(ctx, p.App)))
}

// ReapPreviewsEvery runs ReapPreviews every interval until ctx ends.
func (e *Engine) ReapPreviewsEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := e.ReapPreviews(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("reap previews", "err", err)
		} else if n > 0 {
			e.log.Info("expired previews destroyed", "count", n)
		}
	}
}
