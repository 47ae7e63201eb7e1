package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/quayside/quayside/engine"
)

// Resolution is the interval of the finest history points and of the
// container samples; SaveInterval how often the history is saved.
const (
	Resolution   = 10 * time.Second
	SaveInterval = 5 * time.Minute
)

// HistoryFile is the name of the history's file in Config.Dir.
const HistoryFile = "metrics-history.gob"

// Config sets up Metrics.
type Config struct {
	// Logger receives sampling and saving problems; nil discards.
	Logger *slog.Logger
	// Dir is the data dir the history is kept in (HistoryFile); "" keeps
	// it in memory only.
	Dir string
	// CertExpiry returns the expiry of each host's certificate; it is
	// called at every scrape. Nil reports no certificates.
	CertExpiry func() map[string]time.Time
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sampler reads the resource use of every running app container;
// *engine.Engine is one.
type Sampler interface {
	SampleContainers(ctx context.Context) ([]engine.ContainerSample, error)
}

// Metrics records what the proxy serves, what the containers use and what
// the engine deploys; it serves them to Prometheus (Handler) and keeps
// their history (AppSeries). It is an engine.EventSink. All methods are
// safe for concurrent use.
type Metrics struct {
	log  *slog.Logger
	now  func() time.Time
	path string // history file, "" for none
	reg  *prometheus.Registry

	// apps is read by every request without a lock; mu serialises its
	// copy-on-write updates.
	apps atomic.Pointer[map[string]*appStats]
	mu   sync.Mutex

	deploys deployMetrics
	builds  buildMetrics
	hist    history
	samples containerSamples

	every, saveEvery time.Duration // Resolution and SaveInterval; tests shorten them
	saveMu           sync.Mutex    // one save at a time
}

var (
	_ engine.EventSink = (*Metrics)(nil)
	_ Series           = (*Metrics)(nil)
)

// New returns Metrics with their collectors registered and the history
// loaded from cfg.Dir. A missing history starts empty; an unreadable one
// is logged and ignored.
func New(cfg Config) *Metrics {
	m := &Metrics{
		log: cfg.Logger, now: cfg.Now, reg: prometheus.NewRegistry(),
		every: Resolution, saveEvery: SaveInterval,
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	if cfg.Dir != "" {
		m.path = filepath.Join(cfg.Dir, HistoryFile)
	}
	m.apps.Store(&map[string]*appStats{})
	m.deploys = newDeployMetrics()
	m.builds = newBuildMetrics()
	m.hist = newHistory(m.now())
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		requestCollector{m}, containerCollector{&m.samples}, certCollector{cfg.CertExpiry},
	)
	m.deploys.register(m.reg)
	m.builds.register(m.reg)
	m.load()
	return m
}

// Register adds collectors of other parts of the daemon (the log store's
// counts) to what Handler serves. It panics on a duplicate metric name.
func (m *Metrics) Register(cs ...prometheus.Collector) {
	m.reg.MustRegister(cs...)
}

// Handler serves the metrics in the Prometheus exposition formats. It
// does not authenticate.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      errorLog{m.log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// Run samples the containers through s and closes a history interval
// every Resolution, and saves the history every SaveInterval, until ctx
// ends. s may be nil: the history then has no CPU and memory figures.
func (m *Metrics) Run(ctx context.Context, s Sampler) {
	tick := time.NewTicker(m.every)
	defer tick.Stop()
	save := time.NewTicker(m.saveEvery)
	defer save.Stop()
	m.sample(ctx, s)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			m.closeInterval(m.now())
			m.sample(ctx, s)
		case <-save.C:
			m.save()
		}
	}
}

// Close saves the history. Stop Run first (end its context) for a final
// save that nothing follows.
func (m *Metrics) Close() error {
	return m.save()
}

// errorLog passes promhttp's errors to the logger.
type errorLog struct{ log *slog.Logger }

// Println logs v as a warning.
func (l errorLog) Println(v ...any) {
	l.log.Warn("serve metrics", "err", fmt.Sprint(v...))
}
