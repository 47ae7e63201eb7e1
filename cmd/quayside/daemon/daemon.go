package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/docker/docker/client"
	"golang.org/x/sys/unix"

	"github.com/quayside/quayside/builder"
	"github.com/quayside/quayside/builder/cnb"
	"github.com/quayside/quayside/builder/dockerfile"
	"github.com/quayside/quayside/builder/receive"
	"github.com/quayside/quayside/builder/worker"
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/engine/swarm"
	"github.com/quayside/quayside/install"
	"github.com/quayside/quayside/internal/catalogfile"
	"github.com/quayside/quayside/internal/subnetpool"
	"github.com/quayside/quayside/proxy"
	"github.com/quayside/quayside/proxy/certs"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/store/logs"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/metrics"
)

// Daemon is a running Quayside server: every part, wired together.
type Daemon struct {
	cfg      *Config
	lock     *os.File
	db       *store.DB
	docker   *client.Client
	swarm    *swarm.Runtime  // made by runtime()
	local    *docker.Runtime // made by localRuntime()
	instance string
	proxy    *proxy.Proxy
	engine   *engine.Engine
	recv     *receive.Server
	api      *ui.Server
	cnb      *cnb.Builder
	certs    *certs.Manager
	logs     *logs.Store
	accounts *engine.Accounts
	metrics  *metrics.Metrics
	notify   *notify.Notifier
	control  *lateHandler
	closers  []func() error
}

// Open takes the data dir, opens the store, connects to Docker and
// builds every part. It starts nothing yet.
func Open(ctx context.Context, cfg *Config) (*Daemon, error) {
	d := &Daemon{cfg: cfg}
	steps := []func(context.Context) error{d.lockDataDir, d.openStore, d.openLogs, d.connectDocker, d.build}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// lockDataDir creates the data dir (owner only) and makes sure no other
// daemon uses it.
func (d *Daemon) lockDataDir(context.Context) error {
	if err := os.MkdirAll(d.cfg.Data, 0o700); err != nil {
		return engine.Errorf(engine.EINVALID, "cannot create the data dir %s: %v", d.cfg.Data, err)
	}
	if err := os.Chmod(d.cfg.Data, 0o700); err != nil {
		return fmt.Errorf("restrict data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(d.cfg.Data, "quayside.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return engine.Errorf(engine.ECONFLICT, "another quayside server is already running with the data dir %s", d.cfg.Data)
	}
	d.lock = f
	d.closers = append(d.closers, f.Close)
	return nil
}

func (d *Daemon) openStore(ctx context.Context) error {
	key, err := store.LoadOrCreateKey(filepath.Join(d.cfg.Data, "secret.key"))
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(d.cfg.Data, "quayside.db"), key)
	if err != nil {
		return err
	}
	d.db = db
	d.closers = append(d.closers, db.Close)
	d.instance, err = instanceID(ctx, db)
	return err
}

// instanceID returns this server's ID, made once and kept in the store. It
// labels every Docker object the server owns.
func instanceID(ctx context.Context, db *store.DB) (string, error) {
	id, ok, err := db.Setting(ctx, "instance_id")
	if err != nil || ok {
		return id, err
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make instance id: %w", err)
	}
	id = hex.EncodeToString(b)
	return id, db.SetSetting(ctx, "instance_id", id)
}

// openLogs opens the apps' log history in the data dir.
func (d *Daemon) openLogs(context.Context) error {
	l, err := logs.Open(filepath.Join(d.cfg.Data, "logs"), logs.Options{
		MaxBytesPerApp: d.cfg.LogMaxSize, Logger: d.cfg.Log.With("part", "logs"),
	})
	if err != nil {
		return err
	}
	d.logs = l
	d.closers = append(d.closers, l.Close)
	return nil
}

func (d *Daemon) connectDocker(ctx context.Context) error {
	cli, err := docker.NewClient()
	if err != nil {
		return err
	}
	d.docker = cli
	d.closers = append(d.closers, cli.Close)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Docker daemon (%v): is dockerd running? `make run` starts one", err)
	}
	if err := subnetpool.CheckHost(pctx, cli, d.appSubnets()); err != nil {
		return engine.Errorf(engine.EINVALID, "%v", err)
	}
	return nil
}

// appSubnets is the pool of the apps' and builds' networks.
func (d *Daemon) appSubnets() subnetpool.Pool {
	if d.cfg.AppSubnets.IsZero() {
		return subnetpool.DefaultPool()
	}
	return d.cfg.AppSubnets
}

// build constructs the parts and wires them.
func (d *Daemon) build(context.Context) error {
	log := d.cfg.Log
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary for the git hook: %w", err)
	}
	d.openAccounts()
	d.newMetrics()
	d.metrics.Register(d.logs.Collectors()...)
	d.newNotifier()
	if err := d.buildEdge(); err != nil {
		return err
	}
	recvCfg := receive.Config{
		ReposDir:    filepath.Join(d.cfg.Data, "repos"),
		HostKeyPath: filepath.Join(d.cfg.Data, "ssh_host_ed25519_key"),
		HookSocket:  filepath.Join(d.cfg.Data, "run", "hook.sock"),
		HookCommand: []string{exe, "hook", "pre-receive"},
		Keys:        d.db, Identify: d.accounts.KeyIdentity, Hold: d.accounts.Hold,
		MaxPushBytes: d.cfg.MaxPush, PushTimeout: d.cfg.PushTimeout,
		MaxConns: d.cfg.SSHMaxConns, MaxConnsPerAddr: d.cfg.SSHMaxConnsPerIP,
		Logger: log.With("part", "git"),
	}
	// The repositories come first: the engine removes them, the git server
	// pushes to them and deploys through the engine.
	repos, err := receive.OpenRepositories(recvCfg)
	if err != nil {
		return err
	}
	local := d.localRuntime()
	d.engine = engine.New(engine.Config{
		Access: d.accounts, Sinks: []engine.EventSink{d.metrics, d.notify},
		Store:   d.db,
		Runtime: d.runtime(),
		Cluster: d.runtime(), Placement: d.db,
		Addons: d.runtime(), AddonDumper: addonDumper(local), AddonDir: filepath.Join(d.cfg.Data, "addons"),
		Builder:  d.builder(),
		Builders: engine.BuilderPolicy{Defaults: cnb.TrustedBuilders(d.cfg.Builder), Allowed: d.cfg.AllowedBuilders},
		Router:   d.proxy, Repos: repos, Domain: d.cfg.Domain, AppURL: d.cfg.AppURL,
		Logger: log.With("part", "engine"), StopGrace: d.cfg.StopGrace,
		KeepReleases: d.cfg.KeepReleases, MaxBuilds: d.cfg.MaxBuilds, Logs: d.logs, Certs: d.certs,
		DefaultLimits: d.cfg.DefaultLimits, MaxLimits: d.cfg.MaxLimits, HostCPUs: runtime.NumCPU(),
		PreviewMemory: d.cfg.PreviewMemory,
		Insights:      d.cfg.Insights, CatalogParser: catalogfile.Parse,
		CronTick: d.cfg.CronTick,
	})
	d.metrics.Register(metrics.NewInsightsCollector(d.insightsForMetrics, log.With("part", "metrics")))
	recvCfg.Deployer, recvCfg.Repos = d.engine, repos
	if d.recv, err = receive.New(recvCfg); err != nil {
		return err
	}
	d.api = ui.New(ui.Config{
		Engine: d.engine, Accounts: d.accounts, Version: d.cfg.Version, Domain: d.cfg.Domain, GitURL: d.cfg.GitURL(),
		ControlURL: d.cfg.ControlURL(), Instance: d.instance, Logger: log.With("part", "api"), CARoot: d.certs.RootPEM,
		Series: d.metrics, Prometheus: d.metrics.Handler(), MetricsAllowed: d.cfg.MetricsAllow,
		Git: d.recv.HTTPHandler(), InstallScript: install.Script, TestWebhook: d.testWebhook,
		CheckWebhook: d.checkWebhook,
		GC: func(ctx context.Context) (*engine.GCReport, error) {
			return d.engine.CollectGarbage(ctx, d.cfg.GCPolicy())
		},
	})
	d.control.set(d.controlHandler())
	return nil
}

// buildEdge makes the proxy and the certificate manager, which need each
// other: the proxy redirects to HTTPS for hosts with a certificate, and
// certificates are only obtained for hosts the proxy serves.
func (d *Daemon) buildEdge() error {
	var hasCert func(string) bool
	if !d.cfg.Local() { // the local CA is not trusted by browsers: no redirects
		hasCert = func(host string) bool { return d.certs.HasCertificate(host) }
	}
	d.control = &lateHandler{}
	d.proxy = proxy.New(proxy.Options{
		Logger: d.cfg.Log.With("part", "proxy"), HasCertificate: hasCert, HTTPSPort: d.cfg.HTTPSPort,
		ControlHost: d.cfg.ControlHost(), Control: d.control, Observer: observer{d.metrics},
		TrustedProxies: d.cfg.TrustedProxies,
	})
	m, err := certs.New(certs.Config{
		Dir: filepath.Join(d.cfg.Data, "certs"), Mode: certs.ModeFor(d.cfg.Domain),
		Allowed: d.proxy.Serves, Logger: d.cfg.Log.With("part", "certs"), Domain: d.cfg.Domain,
		CA: d.cfg.ACMECA, Email: d.cfg.ACMEEmail, TrustedRoots: d.cfg.ACMERoot,
		HTTPAddr: d.cfg.HTTPAddr, HTTPSAddr: d.cfg.HTTPSAddr, DNS: d.cfg.DNS,
	})
	if err != nil {
		return err
	}
	d.certs = m
	d.closers = append(d.closers, m.Close)
	return nil
}

// builder returns the build methods in the order they are tried: a
// Dockerfile when the commit has one, buildpacks otherwise.
func (d *Daemon) builder() *builder.Auto {
	log := d.cfg.Log.With("part", "build")
	df := dockerfile.New(d.docker, d.instance, log)
	df.Memory = d.cfg.BuildMemory
	d.cnb = cnb.New(cnb.Config{
		Docker: d.docker, Instance: d.instance, DefaultBuilder: d.cfg.Builder, Logger: log,
		Memory: d.cfg.BuildMemory, BuildTimeout: d.cfg.BuildTimeout, LifecycleImage: d.cfg.LifecycleImage,
		TempDir: filepath.Join(d.cfg.Data, "tmp"), Subnets: d.appSubnets(),
		BuilderStatus: filepath.Join(d.cfg.Data, "builder-assembly.status"),
		Isolator:      &worker.Runner{Path: worker.SelfExe, Args: []string{"internal", "build-worker"}, Log: log},
	})
	return builder.New(df, d.cnb)
}

// prepareBuilds removes what a crash left of earlier builds and picks the
// default buildpack builder in the background, saying which it chose.
func (d *Daemon) prepareBuilds(ctx context.Context) {
	if err := os.MkdirAll(filepath.Join(d.cfg.Data, "tmp"), 0o700); err != nil {
		d.cfg.Log.Error("create build temp dir", "err", err)
	}
	if err := d.cnb.RemoveLeftovers(ctx); err != nil {
		d.cfg.Log.Warn("remove leftovers of interrupted builds", "err", err)
	}
	go func() {
		img, how, err := d.cnb.Resolve(ctx)
		if err != nil {
			d.cfg.Log.Warn("no buildpack builder: apps without a Dockerfile cannot be built", "err", engine.ErrorMessage(err))
			return
		}
		d.cfg.Log.Info("buildpack builder chosen", "image", img, "why", how)
	}()
}

// Serve reconciles, opens every listener, and serves until ctx ends.
func (d *Daemon) Serve(ctx context.Context) error {
	log := d.cfg.Log
	d.prepareBuilds(ctx)
	// Listen before the engine starts: certificates it asks for are
	// validated on these ports.
	ls, err := d.listen()
	if err != nil {
		return err
	}
	if err := d.engine.Start(ctx); err != nil {
		ls.closeAll()
		return err
	}
	d.closers = append(d.closers, d.engine.Close, d.metrics.Close, d.notify.Close)
	if d.cfg.PprofAddr != "" {
		pl, err := listenPprof(d.cfg.PprofAddr)
		if err != nil {
			ls.closeAll()
			return err
		}
		go servePprof(ctx, pl, log)
	}
	d.runWatchers(ctx)
	d.startOps(ctx, d.cfg.GCEvery, d.cfg.GCPolicy())
	go d.manageControlHost(ctx)
	httpSrv := proxy.NewServer(d.cfg.HTTPAddr, d.certs.HTTPChallengeHandler(d.proxy))
	httpsSrv := proxy.NewServer(d.cfg.HTTPSAddr, d.proxy)
	httpsSrv.TLSConfig = d.certs.TLSConfig()
	ctlSrv := &http.Server{Handler: d.api.Handler(), ConnContext: ui.ConnContext, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 5)
	var wg sync.WaitGroup
	serveAll := map[string]func() error{
		"http":    func() error { return httpSrv.Serve(ls.http) },
		"https":   func() error { return httpsSrv.ServeTLS(ls.https, "", "") },
		"ssh":     func() error { return d.recv.ServeSSH(ls.ssh) },
		"hooks":   func() error { return d.recv.ServeHooks(ls.hook) },
		"control": func() error { return ctlSrv.Serve(ls.control) },
	}
	for name, fn := range serveAll {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", name, err)
			}
		}()
	}
	log.Info("quayside is up", "version", d.cfg.Version, "domain", d.cfg.Domain, "http", d.cfg.HTTPAddr, "https", d.cfg.HTTPSAddr,
		"ssh", d.cfg.SSHAddr, "data", d.cfg.Data, "instance", d.instance, "push", d.cfg.GitURL()+"<app>")
	select {
	case <-ctx.Done():
	case err = <-errc:
		log.Error("a listener failed; shutting down", "err", err)
	}
	d.shutdown(httpSrv, httpsSrv, ctlSrv)
	wg.Wait()
	return err
}

// shutdown stops taking work and lets what is in flight finish briefly.
func (d *Daemon) shutdown(servers ...*http.Server) {
	d.cfg.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = d.recv.Close()
	for _, s := range servers {
		_ = s.Shutdown(sctx)
	}
	d.proxy.Close()
}

// Close releases everything Open and Serve acquired, in reverse.
func (d *Daemon) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		if err := d.closers[i](); err != nil {
			d.cfg.Log.Warn("close", "err", err)
		}
	}
}
