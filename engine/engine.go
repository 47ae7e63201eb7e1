package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Defaults for Config fields left zero.
const (
	DefaultAppPort      = 5000
	DefaultStopGrace    = 10 * time.Second
	DefaultSyncEvery    = 30 * time.Second
	DefaultSettleTime   = 2 * time.Second
	DefaultKeepReleases = 5
	DefaultMaxBuilds    = 2
)

// Config wires an Engine to its adapters.
type Config struct {
	Store   Store
	Runtime Runtime
	Builder Builder
	Router  Router
	Repos   Repositories
	// Certs obtains TLS certificates for app hosts; nil means no TLS.
	Certs Certificates
	// Access decides who may do what and keeps the audit log; nil allows
	// everything and records nothing.
	Access AccessControl
	// Builders says which builder images non-admins may set an app to; the
	// zero value allows only returning to the server's default.
	Builders BuilderPolicy
	// Logs keeps the apps' log history; nil means none is collected.
	Logs LogStore
	// Sinks are told about every event (alerts).
	Sinks []EventSink
	// CrashLoopRestarts restarts within CrashLoopWindow make a crash loop.
	CrashLoopRestarts int
	CrashLoopWindow   time.Duration
	// Health probes new releases; nil means an HTTP GET probe.
	Health HealthChecker
	// Domain is the base domain: apps answer at <app>.<Domain>.
	Domain string
	// AppURL returns the URL printed for an app; nil means http://<app>.<Domain>.
	AppURL func(app string) string
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// AppPort is the PORT given to apps whose image does not expose one port.
	AppPort int
	// StopGrace is how long a stopped container may take to exit after SIGTERM.
	StopGrace time.Duration
	// SyncEvery is how often Run compares what runs with what should run.
	SyncEvery time.Duration
	// SettleTime is how long non-web containers must keep running before a
	// release without web containers counts as started.
	SettleTime time.Duration
	// KeepReleases is how many of an app's newest releases keep their
	// images; older images are removed.
	KeepReleases int
	// MaxBuilds is how many builds may run at once on the server.
	MaxBuilds int
	// DefaultLimits are what a process type's containers may use unless
	// its app sets otherwise; a zero field caps nothing.
	DefaultLimits Limits
	// MaxLimits are the most a user other than an admin may give one
	// process type (SetLimits); a zero field sets no ceiling of its own.
	MaxLimits Limits
	// HostCPUs caps the cpus limit an app may set; 0 leaves it to the runtime.
	HostCPUs int
	// PreviewMemory caps the memory of each preview container; 0 means
	// DefaultPreviewMemory, negative no cap.
	PreviewMemory int64
	// Insights are the bands and failure window of the delivery figures.
	Insights InsightsSettings
	// Cluster runs the cluster commands; nil means no cluster support.
	Cluster Cluster
	// Placement keeps the apps' placement constraints; nil means none.
	Placement PlacementStore
	// CronTick is how often the scheduler looks for due jobs; 0 means
	// DefaultCronTick.
	CronTick time.Duration
	// CatalogParser reads catalog-info.yaml at each production push; nil
	// reads no catalog file.
	CatalogParser CatalogParser
	// Addons runs add-on containers (Postgres, Redis); nil means add-ons
	// are not available on this server.
	Addons AddonRuntime
	// AddonDumper backs add-ons up and restores them; nil means no backups.
	AddonDumper AddonDumper
	// AddonDir is where add-on backups are kept; "" means no backups.
	AddonDir string
}

// Engine carries out deploys, config changes, rollbacks and destroys, one at
// a time per app, and keeps the containers and routes in line with the store.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	locks *appLocks
	// builds holds one token per build running, up to MaxBuilds.
	builds chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup

	syncMu      sync.Mutex
	syncPending map[string]bool
	// gcMu lets one garbage collection run at a time.
	gcMu sync.Mutex

	crashes   *crashTracker
	collector *logCollector
	limits    changeLimits
	cron      *cronState
	cronWG    sync.WaitGroup
}

// New returns an Engine with cfg's zero fields set to their defaults.
func New(cfg Config) *Engine {
	if cfg.Health == nil {
		cfg.Health = NewHTTPHealthChecker()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AppPort == 0 {
		cfg.AppPort = DefaultAppPort
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = DefaultStopGrace
	}
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = DefaultSyncEvery
	}
	if cfg.SettleTime == 0 {
		cfg.SettleTime = DefaultSettleTime
	}
	if cfg.KeepReleases == 0 {
		cfg.KeepReleases = DefaultKeepReleases
	}
	if cfg.MaxBuilds == 0 {
		cfg.MaxBuilds = DefaultMaxBuilds
	}
	if cfg.CrashLoopRestarts == 0 {
		cfg.CrashLoopRestarts = 3
	}
	if cfg.CrashLoopWindow == 0 {
		cfg.CrashLoopWindow = 5 * time.Minute
	}
	if cfg.PreviewMemory == 0 {
		cfg.PreviewMemory = DefaultPreviewMemory
	}
	if cfg.CronTick == 0 {
		cfg.CronTick = DefaultCronTick
	}
	if cfg.AppURL == nil {
		domain := cfg.Domain
		cfg.AppURL = func(app string) string { return "http://" + app + "." + domain }
	}
	e := &Engine{
		limits:      newChangeLimits(),
		cfg:         cfg,
		log:         cfg.Logger,
		locks:       newAppLocks(),
		builds:      make(chan struct{}, cfg.MaxBuilds),
		syncPending: map[string]bool{},
		crashes:     newCrashTracker(),
	}
	e.cron = newCronState(&e.cronWG)
	return e
}

// AppURL returns the URL where app answers.
func (e *Engine) AppURL(app string) string { return e.cfg.AppURL(app) }

// AppHost returns the host every app has: <app>.<domain>.
func (e *Engine) AppHost(app string) string { return app + "." + e.cfg.Domain }

// Start reconciles once and then keeps containers and routes in line with the
// store in the background (runtime events and a periodic sync) until Close.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.Reconcile(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	if lf, ok := e.cfg.Runtime.(LogFollower); ok && e.cfg.Logs != nil {
		e.collector = newLogCollector(e, lf)
		e.collector.startAll(ctx)
	}
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.watchEvents(ctx) }()
	go func() { defer e.wg.Done(); e.syncPeriodically(ctx) }()
	e.startCron(ctx)
	e.startAddons(ctx)
	return nil
}

// Close stops the background work started by Start and waits for it.
func (e *Engine) Close() error {
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
	e.waitCron()
	if e.collector != nil {
		e.collector.wg.Wait()
	}
	return nil
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }
