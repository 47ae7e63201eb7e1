package daemon

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/internal/egress"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/proxy"
	"github.com/quayside/quayside/proxy/certs"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/dashboard"
	"github.com/quayside/quayside/ui/metrics"
)

// ControlHost is Quayside's own host: the API, the dashboard, git over
// HTTPS and /metrics. The app name "quayside" is reserved for it.
func (cfg *Config) ControlHost() string { return "quayside." + cfg.Domain }

// ControlURL is how users reach the control host.
func (cfg *Config) ControlURL() string { return cfg.AppURL("quayside") }

// lateHandler lets the proxy, built first, serve the control host's
// handler, built last.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, "Quayside is starting", http.StatusServiceUnavailable)
}

var _ engine.ContextHasher = hasher{}

// hasher hashes passwords with the memory-hard hash of internal/password,
// within its memory ceiling.
type hasher struct{}

func (hasher) Hash(pw string) (string, error) { return password.Hash(pw) }
func (hasher) Check(hash, pw string) error    { return password.Check(hash, pw) }
func (hasher) HashContext(ctx context.Context, pw string) (string, error) {
	return password.HashContext(ctx, pw)
}
func (hasher) CheckContext(ctx context.Context, hash, pw string) error {
	return password.CheckContext(ctx, hash, pw)
}

func (d *Daemon) openAccounts() {
	d.accounts = engine.NewAccounts(engine.AccountsConfig{
		Store: d.db, Hasher: hasher{}, Logger: d.cfg.Log.With("part", "accounts"),
	})
}

// newMetrics makes the metrics; the proxy reports to them.
func (d *Daemon) newMetrics() {
	d.metrics = metrics.New(metrics.Config{
		Logger: d.cfg.Log.With("part", "metrics"), Dir: d.cfg.Data, CertExpiry: d.certExpiry,
	})
}

// certExpiry lists the certificates' expiry for the metrics.
func (d *Daemon) certExpiry() map[string]time.Time {
	if d.engine == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hosts, err := d.engine.AllHosts(ctx)
	if err != nil {
		return nil
	}
	out := map[string]time.Time{}
	for _, st := range d.certs.Status(ctx, append(hosts, d.cfg.ControlHost())) {
		if !st.NotAfter.IsZero() {
			out[st.Host] = st.NotAfter
		}
	}
	return out
}

// observer adapts the proxy's request reports to the metrics.
type observer struct{ m *metrics.Metrics }

func (o observer) ObserveRequest(i proxy.RequestInfo) {
	o.m.ObserveRequest(i.App, i.Status, i.Duration, i.BytesIn, i.BytesOut)
}
func (o observer) RequestStarted(app string) { o.m.RequestStarted(app) }
func (o observer) RequestDone(app string)    { o.m.RequestDone(app) }

// newNotifier makes the webhook alerts, reading targets from the engine.
func (d *Daemon) newNotifier() {
	host, _ := os.Hostname()
	d.notify = notify.New(notify.Config{
		Targets: d.alertTargets, Logger: d.cfg.Log.With("part", "alerts"),
		ServerName: host + " (" + d.cfg.Domain + ")", BaseURL: d.cfg.ControlURL(),
		Egress: &egress.Policy{Allow: d.cfg.WebhookAllow},
	})
}

func (d *Daemon) alertTargets(ctx context.Context, app string) ([]notify.Target, error) {
	var out []notify.Target
	for _, w := range d.engine.AlertTargets(ctx, app) {
		out = append(out, notify.Target{URL: w.URL, Format: w.Format})
	}
	return out, nil
}

// runWatchers starts the background work that reports on the server: the
// metrics sampler, the alert sender, the disk and certificate watchers.
// They end with ctx.
func (d *Daemon) runWatchers(ctx context.Context) {
	go d.metrics.Run(ctx, d.engine)
	go func() { _ = d.notify.Run(ctx) }()
	dw, err := notify.NewDiskWatcher(notify.DiskConfig{
		Paths: []string{d.cfg.Data, dockerRoot(ctx, d)}, Threshold: d.cfg.DiskAlert,
		Report: d.engine.Report, Logger: d.cfg.Log.With("part", "disk"),
	})
	if err != nil {
		d.cfg.Log.Error("disk watcher", "err", err)
	} else {
		go func() { _ = dw.Run(ctx) }()
	}
	go d.certs.WatchFailures(ctx, d.engine, certs.FailureCheckEvery)
}

// dockerRoot is Docker's data directory, where images and containers
// take disk; the data dir's when Docker does not say.
func dockerRoot(ctx context.Context, d *Daemon) string {
	info, err := d.docker.Info(ctx)
	if err != nil || info.DockerRootDir == "" {
		return d.cfg.Data
	}
	if _, err := os.Stat(info.DockerRootDir); err != nil {
		return filepath.Dir(d.cfg.Data)
	}
	return info.DockerRootDir
}

// manageControlHost gets the control host its certificate.
func (d *Daemon) manageControlHost(ctx context.Context) {
	if err := d.certs.Manage(ctx, []string{d.cfg.ControlHost()}); err != nil {
		d.cfg.Log.Warn("certificate for the control host", "host", d.cfg.ControlHost(), "err", engine.ErrorMessage(err))
	}
}

// controlHandler is what the control host serves: the API side of ui
// (ui.ServesPath) and the dashboard beside it, on every other path. Both
// identify callers with the one authenticator of ui.
func (d *Daemon) controlHandler() http.Handler {
	pages := dashboard.New(dashboard.Config{
		Engine: d.engine, Accounts: d.accounts, Auth: d.api.Auth(), Series: d.metrics,
		Version: d.cfg.Version, Logger: d.cfg.Log.With("part", "dashboard"),
		Links:       dashboard.Links{HostURL: d.cfg.HostURL, GitSSH: d.cfg.GitURL(), Control: d.cfg.ControlURL()},
		TestWebhook: d.testWebhook, CheckWebhook: d.checkWebhook,
	}).Handler()
	api := d.api.RemoteHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ui.ServesPath(r.URL.Path) {
			api.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// testWebhook sends one test alert through the alert sender.
func (d *Daemon) testWebhook(ctx context.Context, app string, w engine.Webhook) (bool, string, error) {
	res, err := d.notify.Test(ctx, notify.Target{URL: w.URL, Format: w.Format, App: app})
	return res.Delivered, res.Reason, err
}

// checkWebhook checks a webhook being added against the alert sender's
// address policy.
func (d *Daemon) checkWebhook(w engine.Webhook) error {
	return d.notify.CheckTarget(notify.Target{URL: w.URL, Format: w.Format})
}
