package main

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
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/install"
	"github.com/quayside/quayside/proxy"
	"github.com/quayside/quayside/proxy/certs"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/store/logs"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/metrics"
)

// daemon is a running Quayside server: every part, wired together.
type daemon struct {
	cfg      *daemonConfig
	lock     *os.File
	db       *store.DB
	docker   *client.Client
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

// openDaemon takes the data dir, opens the store, connects to Docker and
// builds every part. It starts nothing yet.
func openDaemon(ctx context.Context, cfg *daemonConfig) (*daemon, error) {
	d := &daemon{cfg: cfg}
	steps := []func(context.Context) error{d.lockDataDir, d.openStore, d.openLogs, d.connectDocker, d.build}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			d.close()
			return nil, err
		}
	}
	return d, nil
}

// lockDataDir creates the data dir (owner only) and makes sure no other
// daemon uses it.
func (d *daemon) lockDataDir(context.Context) error {
	if err := os.MkdirAll(d.cfg.data, 0o700); err != nil {
		return engine.Errorf(engine.EINVALID, "cannot create the data dir %s: %v", d.cfg.data, err)
	}
	if err := os.Chmod(d.cfg.data, 0o700); err != nil {
		return fmt.Errorf("restrict data dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(d.cfg.data, "quayside.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return engine.Errorf(engine.ECONFLICT, "another quayside server is already running with the data dir %s", d.cfg.data)
	}
	d.lock = f
	d.closers = append(d.closers, f.Close)
	return nil
}

func (d *daemon) openStore(ctx context.Context) error {
	key, err := store.LoadOrCreateKey(filepath.Join(d.cfg.data, "secret.key"))
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(d.cfg.data, "quayside.db"), key)
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
func (d *daemon) openLogs(context.Context) error {
	l, err := logs.Open(filepath.Join(d.cfg.data, "logs"), logs.Options{
		MaxBytesPerApp: d.cfg.logMaxSize, Logger: d.cfg.log.With("part", "logs"),
	})
	if err != nil {
		return err
	}
	d.logs = l
	d.closers = append(d.closers, l.Close)
	return nil
}

func (d *daemon) connectDocker(ctx context.Context) error {
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
	return nil
}

// build constructs the parts and wires them.
func (d *daemon) build(context.Context) error {
	log := d.cfg.log
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
		ReposDir:    filepath.Join(d.cfg.data, "repos"),
		HostKeyPath: filepath.Join(d.cfg.data, "ssh_host_ed25519_key"),
		HookSocket:  filepath.Join(d.cfg.data, "run", "hook.sock"),
		HookCommand: []string{exe, "hook", "pre-receive"},
		Keys:        d.db, Identify: d.accounts.KeyIdentity, Hold: d.accounts.Hold,
		MaxPushBytes: d.cfg.maxPush, PushTimeout: d.cfg.pushTimeout,
		MaxConns: d.cfg.sshMaxConns, MaxConnsPerAddr: d.cfg.sshMaxConnsPerIP,
		Logger: log.With("part", "git"),
	}
	// The repositories come first: the engine removes them, the git server
	// pushes to them and deploys through the engine.
	repos, err := receive.OpenRepositories(recvCfg)
	if err != nil {
		return err
	}
	d.engine = engine.New(engine.Config{
		Access: d.accounts, Sinks: []engine.EventSink{d.metrics, d.notify},
		Store:    d.db,
		Runtime:  docker.New(d.docker, d.instance, log.With("part", "docker")),
		Builder:  d.builder(),
		Builders: engine.BuilderPolicy{Defaults: cnb.TrustedBuilders(d.cfg.builder), Allowed: d.cfg.allowedBuilders},
		Router:   d.proxy, Repos: repos, Domain: d.cfg.domain, AppURL: d.cfg.appURL,
		Logger: log.With("part", "engine"), StopGrace: d.cfg.stopGrace,
		KeepReleases: d.cfg.keepReleases, MaxBuilds: d.cfg.maxBuilds, Logs: d.logs, Certs: d.certs,
		DefaultLimits: d.cfg.defaultLimits, HostCPUs: runtime.NumCPU(),
	})
	recvCfg.Deployer, recvCfg.Repos = d.engine, repos
	if d.recv, err = receive.New(recvCfg); err != nil {
		return err
	}
	d.api = ui.New(ui.Config{
		Engine: d.engine, Accounts: d.accounts, Version: version, Domain: d.cfg.domain, GitURL: d.cfg.gitURL(),
		ControlURL: d.cfg.controlURL(), Instance: d.instance, Logger: log.With("part", "api"), CARoot: d.certs.RootPEM,
		Series: d.metrics, Prometheus: d.metrics.Handler(), MetricsAllowed: d.cfg.metricsAllow,
		Git: d.recv.HTTPHandler(), InstallScript: install.Script, TestWebhook: d.testWebhook,
		CheckWebhook: d.checkWebhook,
		GC: func(ctx context.Context) (*engine.GCReport, error) {
			return d.engine.CollectGarbage(ctx, d.cfg.gcPolicy())
		},
	})
	d.control.set(d.controlHandler())
	return nil
}

// buildEdge makes the proxy and the certificate manager, which need each
// other: the proxy redirects to HTTPS for hosts with a certificate, and
// certificates are only obtained for hosts the proxy serves.
func (d *daemon) buildEdge() error {
	var hasCert func(string) bool
	if !d.cfg.local() { // the local CA is not trusted by browsers: no redirects
		hasCert = func(host string) bool { return d.certs.HasCertificate(host) }
	}
	d.control = &lateHandler{}
	d.proxy = proxy.New(proxy.Options{
		Logger: d.cfg.log.With("part", "proxy"), HasCertificate: hasCert, HTTPSPort: d.cfg.httpsPort,
		ControlHost: d.cfg.controlHost(), Control: d.control, Observer: observer{d.metrics},
		TrustedProxies: d.cfg.trustedProxies,
	})
	m, err := certs.New(certs.Config{
		Dir: filepath.Join(d.cfg.data, "certs"), Mode: certs.ModeFor(d.cfg.domain),
		Allowed: d.proxy.Serves, Logger: d.cfg.log.With("part", "certs"), Domain: d.cfg.domain,
		CA: d.cfg.acmeCA, Email: d.cfg.acmeEmail, TrustedRoots: d.cfg.acmeRoot,
		HTTPAddr: d.cfg.httpAddr, HTTPSAddr: d.cfg.httpsAddr,
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
func (d *daemon) builder() *builder.Auto {
	log := d.cfg.log.With("part", "build")
	df := dockerfile.New(d.docker, d.instance, log)
	df.Memory = d.cfg.buildMemory
	d.cnb = cnb.New(cnb.Config{
		Docker: d.docker, Instance: d.instance, DefaultBuilder: d.cfg.builder, Logger: log,
		Memory: d.cfg.buildMemory, BuildTimeout: d.cfg.buildTimeout, LifecycleImage: d.cfg.lifecycleImage,
		TempDir: filepath.Join(d.cfg.data, "tmp"),
	})
	return builder.New(df, d.cnb)
}

// prepareBuilds removes what a crash left of earlier builds and picks the
// default buildpack builder in the background, saying which it chose.
func (d *daemon) prepareBuilds(ctx context.Context) {
	if err := os.MkdirAll(filepath.Join(d.cfg.data, "tmp"), 0o700); err != nil {
		d.cfg.log.Error("create build temp dir", "err", err)
	}
	if err := d.cnb.RemoveLeftovers(ctx); err != nil {
		d.cfg.log.Warn("remove leftovers of interrupted builds", "err", err)
	}
	go func() {
		img, how, err := d.cnb.Resolve(ctx)
		if err != nil {
			d.cfg.log.Warn("no buildpack builder: apps without a Dockerfile cannot be built", "err", engine.ErrorMessage(err))
			return
		}
		d.cfg.log.Info("buildpack builder chosen", "image", img, "why", how)
	}()
}

// serve reconciles, opens every listener, and serves until ctx ends.
func (d *daemon) serve(ctx context.Context) error {
	log := d.cfg.log
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
	d.runWatchers(ctx)
	d.startOps(ctx, d.cfg.gcEvery, d.cfg.gcPolicy())
	go d.manageControlHost(ctx)
	httpSrv := proxy.NewServer(d.cfg.httpAddr, d.certs.HTTPChallengeHandler(d.proxy))
	httpsSrv := proxy.NewServer(d.cfg.httpsAddr, d.proxy)
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
	log.Info("quayside is up", "version", version, "domain", d.cfg.domain, "http", d.cfg.httpAddr, "https", d.cfg.httpsAddr,
		"ssh", d.cfg.sshAddr, "data", d.cfg.data, "instance", d.instance, "push", d.cfg.gitURL()+"<app>")
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
func (d *daemon) shutdown(servers ...*http.Server) {
	d.cfg.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = d.recv.Close()
	for _, s := range servers {
		_ = s.Shutdown(sctx)
	}
	d.proxy.Close()
}

// close releases everything openDaemon and serve acquired, in reverse.
func (d *daemon) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		if err := d.closers[i](); err != nil {
			d.cfg.log.Warn("close", "err", err)
		}
	}
}
