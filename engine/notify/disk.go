package notify

import (
	"context"
	"fmt"
	"log/slog"
	"syscall"
	"time"

	"github.com/quayside/quayside/engine"
)

// Defaults of DiskConfig.
const (
	DefaultDiskThreshold  = 90
	DefaultDiskHysteresis = 5
	DefaultDiskInterval   = time.Minute
)

// DiskConfig configures a DiskWatcher.
type DiskConfig struct {
	// Paths are the directories whose file systems are watched, e.g. the
	// data directory and Docker's root directory. Paths on one file system
	// are checked (and reported) once, under the first of them.
	Paths []string
	// Threshold is the use, in percent, at or above which a file system is
	// reported; 0 means DefaultDiskThreshold.
	Threshold float64
	// Hysteresis is how many percentage points use must fall below
	// Threshold before a file system can be reported again; 0 means
	// DefaultDiskHysteresis.
	Hysteresis float64
	// Interval is the time between checks; 0 means DefaultDiskInterval.
	Interval time.Duration
	// Report receives each engine.EventDiskLow (engine.Engine.Report fits).
	// Required.
	Report func(ctx context.Context, ev engine.Event)
	// Statfs reads a file system's counters; nil means syscall.Statfs.
	Statfs func(path string, st *syscall.Statfs_t) error
	// Logger may be nil (no logging).
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// DiskWatcher reports file systems that are filling up: one
// engine.EventDiskLow when use reaches the threshold, and no other until use
// has fallen below threshold minus hysteresis and risen again.
type DiskWatcher struct {
	cfg DiskConfig
	log *slog.Logger
	// full holds the paths reported and not yet back below the hysteresis
	// mark; failing the paths whose last Statfs failed (logged once).
	full, failing map[string]bool
}

// NewDiskWatcher returns a watcher for cfg, or an EINVALID error when
// Report is nil or Threshold or Hysteresis is out of range.
func NewDiskWatcher(cfg DiskConfig) (*DiskWatcher, error) {
	cfg = diskDefaults(cfg)
	switch {
	case cfg.Report == nil:
		return nil, engine.Errorf(engine.EINVALID, "disk watcher needs a report func")
	case cfg.Threshold <= 0 || cfg.Threshold > 100:
		return nil, engine.FieldError("threshold", "disk threshold %g%% is out of range: use a percentage above 0 and up to 100", cfg.Threshold)
	case cfg.Hysteresis < 0 || cfg.Hysteresis >= cfg.Threshold:
		return nil, engine.FieldError("hysteresis", "disk hysteresis %g points is out of range: use a value from 0 to below the threshold", cfg.Hysteresis)
	}
	return &DiskWatcher{cfg: cfg, log: cfg.Logger, full: map[string]bool{}, failing: map[string]bool{}}, nil
}

func diskDefaults(cfg DiskConfig) DiskConfig {
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultDiskThreshold
	}
	if cfg.Hysteresis == 0 {
		cfg.Hysteresis = DefaultDiskHysteresis
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultDiskInterval
	}
	if cfg.Statfs == nil {
		cfg.Statfs = syscall.Statfs
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Run checks at once and then every Interval until ctx is done, then
// returns nil. Run and Check must not be called concurrently.
func (w *DiskWatcher) Run(ctx context.Context) error {
	tick := time.NewTicker(w.cfg.Interval)
	defer tick.Stop()
	for {
		w.Check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Check looks at every path once and reports those that crossed the
// threshold since they were last reported.
func (w *DiskWatcher) Check(ctx context.Context) {
	seen := map[string]bool{}
	for _, path := range w.cfg.Paths {
		u, ok := w.usage(path)
		if !ok || seen[u.fs] {
			continue
		}
		seen[u.fs] = true
		w.judge(ctx, u)
	}
}

// usage reads path's file system, logging the first of a run of failures.
func (w *DiskWatcher) usage(path string) (diskUsage, bool) {
	var st syscall.Statfs_t
	if err := w.cfg.Statfs(path, &st); err != nil {
		if !w.failing[path] {
			w.log.Warn("check disk space", "path", path, "err", err)
		}
		w.failing[path] = true
		return diskUsage{}, false
	}
	delete(w.failing, path)
	u := usageOf(path, &st)
	return u, u.total > 0
}

// judge reports u when it crossed the threshold and re-arms it when it
// fell below the hysteresis mark.
func (w *DiskWatcher) judge(ctx context.Context, u diskUsage) {
	pct := u.percent()
	switch {
	case pct >= w.cfg.Threshold && !w.full[u.path]:
		w.full[u.path] = true
		msg := fmt.Sprintf("disk %s is %d%% full (%s free): run `quayside gc` or grow the disk", u.path, u.roundedPercent(), humanBytes(u.free))
		w.log.Warn("disk space low", "path", u.path, "percent", u.roundedPercent(), "free", humanBytes(u.free))
		w.cfg.Report(ctx, engine.Event{Kind: engine.EventDiskLow, Message: msg, Time: w.cfg.Now()})
	case pct < w.cfg.Threshold-w.cfg.Hysteresis && w.full[u.path]:
		delete(w.full, u.path)
		w.log.Info("disk space back to normal", "path", u.path, "percent", u.roundedPercent())
	}
}
