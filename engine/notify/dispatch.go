package notify

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/quayside/quayside/engine"
)

// lookupTimeout bounds one Config.Targets call.
const lookupTimeout = 10 * time.Second

// delivery is one alert rendered for one target.
type delivery struct {
	target Target
	kind   string
	app    string
	body   []byte
}

// worker delivers the alerts of one target, one at a time, in order.
type worker struct {
	key   string
	host  string
	queue chan delivery
	// dropping says the queue dropped a delivery (and logged it) and has
	// queued nothing since.
	dropping atomic.Bool
}

// dispatchLoop hands each queued event to its targets until ctx is done.
func (n *Notifier) dispatchLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-n.events:
			n.dispatch(ctx, ev)
		}
	}
}

// dispatch renders ev for each of its targets and queues the deliveries.
func (n *Notifier) dispatch(ctx context.Context, ev engine.Event) {
	for _, t := range n.targets(ctx, ev.App) {
		body, err := n.render(t.Format, ev)
		if err != nil {
			n.log.Error("render alert", "host", t.Host(), "err", err)
			continue
		}
		n.enqueue(ctx, delivery{target: t, kind: ev.Kind, app: ev.App, body: body})
	}
}

// targets returns the valid, distinct targets of app's events.
func (n *Notifier) targets(ctx context.Context, app string) []Target {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	all, err := n.cfg.Targets(ctx, app)
	if err != nil {
		n.log.Error("look up alert targets", "app", app, "err", err)
		return nil
	}
	seen := map[string]bool{}
	var out []Target
	for _, t := range all {
		if (t.App != "" && t.App != app) || seen[targetKey(t)] {
			continue
		}
		if err := CheckTarget(t); err != nil {
			n.log.Warn("skip invalid alert target", "host", t.Host(), "err", err)
			continue
		}
		seen[targetKey(t)] = true
		out = append(out, t)
	}
	return out
}

// targetKey identifies a receiver: one worker, one delivery per event.
func targetKey(t Target) string { return t.Format + " " + t.URL }

// enqueue hands d to its target's worker, starting one when needed. A full
// target queue drops d.
func (n *Notifier) enqueue(ctx context.Context, d delivery) {
	n.mu.Lock()
	defer n.mu.Unlock()
	key := targetKey(d.target)
	w := n.workers[key]
	if w == nil {
		w = &worker{key: key, host: d.target.Host(), queue: make(chan delivery, n.cfg.QueueSize)}
		n.workers[key] = w
		n.workerWG.Go(func() { n.work(ctx, w) })
	}
	select {
	case w.queue <- d:
		w.dropping.Store(false)
	default:
		n.drop(&w.dropping, "alert queue of a webhook full: dropping alert", engine.Event{Kind: d.kind, App: d.app}, w.host)
	}
}

// work delivers w's alerts until ctx is done or w has been idle for n.idle.
func (n *Notifier) work(ctx context.Context, w *worker) {
	idle := time.NewTimer(n.idle)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-w.queue:
			n.deliver(ctx, d)
			idle.Reset(n.idle)
		case <-idle.C:
			if n.retire(w) {
				return
			}
			idle.Reset(n.idle)
		}
	}
}

// retire forgets an idle worker unless something was queued meanwhile.
func (n *Notifier) retire(w *worker) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(w.queue) > 0 {
		return false
	}
	delete(n.workers, w.key)
	return true
}
