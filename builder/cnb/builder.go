package cnb

import (
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

var (
	_ engine.Builder      = (*Builder)(nil)
	_ engine.CacheClearer = (*Builder)(nil)
)

// Defaults of the Config fields left zero.
const (
	DefaultBuildTimeout = 20 * time.Minute
	DefaultPullTimeout  = 30 * time.Second
)

// Config configures a Builder.
type Config struct {
	// Docker is the client of the daemon the builds run on, made with API
	// version negotiation. The Builder does not own it.
	Docker *client.Client
	// Instance is the id of this Quayside server; images are tagged
	// qs-<Instance>/<app>:v<release> and labelled with it.
	Instance string
	// DefaultBuilder is the server's builder image; "" means resolve one
	// automatically (see Builder.Resolve).
	DefaultBuilder string
	// LifecycleImage is the lifecycle image that builds with builders other
	// than TrustedBuilders run their daemon-facing phases from; it must be
	// in the daemon (it is never pulled). "" means LifecycleImage.
	LifecycleImage string
	// Logger receives the server's own log lines; nil discards them.
	Logger *slog.Logger
	// Memory caps the memory of the lifecycle containers, in bytes, swap
	// included; 0 means unlimited.
	Memory int64
	// BuildTimeout bounds one build; 0 means DefaultBuildTimeout.
	BuildTimeout time.Duration
	// PullTimeout bounds pulling a builder image that is not in the daemon;
	// 0 means DefaultPullTimeout.
	PullTimeout time.Duration
	// TempDir is where the pushed sources are extracted, each build in a
	// private directory of its own that is removed afterwards; "" means
	// os.TempDir().
	TempDir string
	// Subnets is the pool pack's build networks take their subnet from;
	// the zero Pool means subnetpool.Default.
	Subnets subnetpool.Pool
	// BuilderStatus is the status file make builder keeps while it
	// assembles the offline builder (scripts/make-builder.sh,
	// QUAYSIDE_BUILDER_STATUS; make run puts it in the data dir). While
	// OfflineBuilder is missing, a build is told from it how far the
	// assembly is or that it failed. "" means none.
	BuilderStatus string
	// Isolator, when set, runs each build in a process of its own (see
	// NewWorker), so that pack's memory is returned when the build ends;
	// nil builds in the calling process.
	Isolator Isolator
}

// Builder builds images with Cloud Native Buildpacks. It is safe for
// concurrent use; builds of one app should not overlap (they share the
// app's cache volumes), which the engine's per-app lock ensures.
type Builder struct {
	cfg    Config
	cli    *client.Client
	log    *slog.Logger
	images imageStore
	limits treeLimits
	// socket is the daemon's unix socket path, "" when it is reached
	// otherwise.
	socket string

	mu     sync.Mutex
	chosen *choice // the resolved default builder, nil until resolved
}

// New returns a Builder configured by cfg, with defaults for the zero
// fields.
func New(cfg Config) *Builder {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BuildTimeout <= 0 {
		cfg.BuildTimeout = DefaultBuildTimeout
	}
	if cfg.PullTimeout <= 0 {
		cfg.PullTimeout = DefaultPullTimeout
	}
	if cfg.LifecycleImage == "" {
		cfg.LifecycleImage = LifecycleImage
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Subnets.IsZero() {
		cfg.Subnets = subnetpool.DefaultPool()
	}
	b := &Builder{cfg: cfg, cli: cfg.Docker, log: cfg.Logger, limits: defaultTreeLimits}
	b.images = &daemonImages{cli: cfg.Docker, wrap: b.wrap}
	if cfg.Docker != nil {
		b.socket = daemonSocket(cfg.Docker.DaemonHost())
	}
	return b
}
