package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/egress"
)

// Defaults of Config.
const (
	DefaultQueueSize = 1000
	DefaultTimeout   = 10 * time.Second
)

// DefaultRetry is the wait before each retry of a failed delivery when
// Config.Retry is nil: six attempts over about 13 minutes.
var DefaultRetry = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute}

// Config configures a Notifier.
type Config struct {
	// Targets returns the targets of app's events: the server-wide targets
	// plus app's own (only the server-wide ones when app is ""). It is
	// called from Run's goroutine once per alerting event, never from
	// Event, so it may read a store. Targets whose App is neither "" nor
	// app are skipped, and a URL listed twice gets one delivery. Required.
	Targets func(ctx context.Context, app string) ([]Target, error)
	// Logger may be nil (no logging).
	Logger *slog.Logger
	// Egress decides which addresses deliveries may reach, checked on the
	// resolved address at dial time; nil means the default policy, which
	// refuses this server, its networks and every private range. The
	// client follows no redirects (a 3xx is a failure).
	Egress *egress.Policy
	// Retry is the wait before each retry; its length is the number of
	// retries. Nil means DefaultRetry; an empty non-nil slice, no retries.
	// Each wait varies by ±20%.
	Retry []time.Duration
	// QueueSize bounds the queue of events waiting for dispatch and the
	// queue of each target; 0 means DefaultQueueSize.
	QueueSize int
	// Timeout bounds each delivery attempt; 0 means DefaultTimeout.
	Timeout time.Duration
	// ServerName names this server in the alerts (e.g. its hostname).
	ServerName string
	// BaseURL, when set, is the dashboard address alerts link to
	// (BaseURL/apps/<app> for an app's event).
	BaseURL string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Stats counts what a Notifier did with alerts since New.
type Stats struct {
	// Delivered counts deliveries a target accepted (2xx).
	Delivered uint64
	// Failed counts deliveries given up: a status that is not retried, or
	// every retry spent.
	Failed uint64
	// Dropped counts events and deliveries dropped because a queue was full.
	Dropped uint64
}

// Notifier posts alerts to webhooks. It implements engine.EventSink.
// Event may be called before Run; what it queues is sent once Run runs.
type Notifier struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	events chan engine.Event

	stop     context.CancelFunc // ends Run
	stopCtx  context.Context
	closed   atomic.Bool
	mu       sync.Mutex // guards workers, running; orders enqueue and worker exit
	running  bool
	workers  map[string]*worker
	idle     time.Duration // a worker with nothing to do for this long exits
	runWG    sync.WaitGroup
	workerWG sync.WaitGroup

	delivered, failed, dropped atomic.Uint64
	// dropping says the event queue dropped an event (and logged it) and
	// has queued nothing since.
	dropping atomic.Bool
}

var _ engine.EventSink = (*Notifier)(nil)

// New returns a Notifier for cfg. It starts nothing: call Run.
func New(cfg Config) *Notifier {
	cfg = withDefaults(cfg)
	ctx, stop := context.WithCancel(context.Background())
	return &Notifier{
		cfg: cfg, log: cfg.Logger, client: cfg.Egress.Client(),
		events:  make(chan engine.Event, cfg.QueueSize),
		stop:    stop,
		stopCtx: ctx,
		workers: map[string]*worker{},
		idle:    5 * time.Minute,
	}
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Egress == nil {
		cfg.Egress = &egress.Policy{}
	}
	if cfg.Retry == nil {
		cfg.Retry = DefaultRetry
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Event queues ev for delivery when its kind alerts and returns at once: it
// never blocks. When the queue is full ev is dropped, counted in
// Stats.Dropped and a warning is logged (once per run of drops). Events
// after Close are ignored.
func (n *Notifier) Event(ev engine.Event) {
	if !Alerts(ev.Kind) || n.closed.Load() {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = n.cfg.Now()
	}
	select {
	case n.events <- ev:
		n.dropping.Store(false)
	default:
		n.drop(&n.dropping, "alert queue full: dropping alert", ev, "")
	}
}

// Alerts reports whether events of kind are sent to webhooks.
func Alerts(kind string) bool {
	switch kind {
	case engine.EventDeployFailed, engine.EventCrashLooping, engine.EventOutOfMemory, engine.EventDiskLow, engine.EventCertificateFailing,
		engine.EventCronFailed, engine.EventCronMissed:
		return true
	}
	return false
}

// drop counts a dropped alert and logs the first of a run of drops from
// one queue, whose dropping flag is given.
func (n *Notifier) drop(dropping *atomic.Bool, msg string, ev engine.Event, host string) {
	total := n.dropped.Add(1)
	if dropping.Swap(true) {
		return
	}
	args := []any{"kind", ev.Kind, "app", ev.App, "dropped_total", total}
	if host != "" {
		args = append(args, "host", host)
	}
	n.log.Warn(msg, args...)
}

// Stats returns the counters so far.
func (n *Notifier) Stats() Stats {
	return Stats{Delivered: n.delivered.Load(), Failed: n.failed.Load(), Dropped: n.dropped.Load()}
}

// errRunning is returned by Run when it cannot start.
var errRunning = errors.New("notify: Run called twice or after Close")

// Run dispatches queued alerts to the targets' workers until ctx is done or
// Close is called, then stops the workers (abandoning deliveries not yet
// made) and returns nil once they have ended. It may be called once; call
// Close after it, so that later Events are ignored rather than queued.
func (n *Notifier) Run(ctx context.Context) error {
	if !n.start() {
		return errRunning
	}
	defer n.runWG.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer context.AfterFunc(n.stopCtx, cancel)()
	n.dispatchLoop(ctx)
	cancel()
	n.workerWG.Wait()
	return nil
}

func (n *Notifier) start() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running || n.closed.Load() {
		return false
	}
	n.running = true
	n.runWG.Add(1)
	return true
}

// Close stops Run and waits for it to return. Later Events are ignored.
// Close is idempotent and returns nil.
func (n *Notifier) Close() error {
	n.mu.Lock()
	n.closed.Store(true)
	n.mu.Unlock()
	n.stop()
	n.runWG.Wait()
	return nil
}
