package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem" // the storage of the registry
	"github.com/docker/docker/client"
	"github.com/sirupsen/logrus"
)

// Config says where the registry keeps its files, where it listens and
// under which address the daemons reach it.
type Config struct {
	// DataDir is Quayside's data dir; the registry keeps everything under
	// DataDir/registry: ca.crt and ca.key (its CA), tls.crt and tls.key,
	// secret (from which its credentials derive) and storage/.
	DataDir string
	// Listen is the address the registry listens on, such as ":5443" or
	// "10.0.0.1:5443".
	Listen string
	// Host is the host:port under which the manager's and the nodes'
	// daemons reach the registry. It names the images (Host/app@digest)
	// and its host is the name in the registry's certificate.
	Host string
	// Docker is the manager's daemon: Ship pushes from it, Collect asks it
	// which images are still kept.
	Docker client.APIClient
	// CertsDir is where this machine's dockerd finds registry CAs; Start
	// writes the CA there for Host. Default DefaultCertsDir.
	CertsDir string
	// Log receives the registry's own log lines; default slog.Default().
	Log *slog.Logger
	// CollectEvery is how often, while started, the registry runs Collect
	// by itself (the daemon passes --gc-every); 0 never.
	CollectEvery time.Duration
}

// Registry is Quayside's registry. Its methods are safe for concurrent
// use; Collect waits for pushes in progress and holds requests meanwhile.
type Registry struct {
	cfg  Config
	dir  string
	keys keys
	ca   *authority

	// gate is held shared by every request and exclusively by Collect:
	// the distribution project's garbage collector must not run while a
	// push is writing.
	gate sync.RWMutex
	// shipMu is held shared by Ship and exclusively by Collect, so a
	// collection never runs between the blobs and the manifest of a push.
	shipMu sync.RWMutex

	targetsMu sync.Mutex
	targets   map[string]*targetLock // see lockTarget

	mu       sync.Mutex
	srv      *http.Server
	ln       net.Listener
	app      *handlers.App
	stopLoop context.CancelFunc
	loopDone chan struct{}
}

// New checks cfg and prepares the registry's files (CA, secret, storage
// folder) without listening yet.
func New(cfg Config) (*Registry, error) {
	if cfg.DataDir == "" || cfg.Listen == "" || cfg.Host == "" || cfg.Docker == nil {
		return nil, errors.New("new registry: DataDir, Listen, Host and Docker are required")
	}
	if _, _, err := net.SplitHostPort(cfg.Host); err != nil {
		return nil, fmt.Errorf("new registry: host %q is not a host:port such as 10.0.0.1:5443", cfg.Host)
	}
	if cfg.CertsDir == "" {
		cfg.CertsDir = DefaultCertsDir
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	r := &Registry{cfg: cfg, dir: filepath.Join(cfg.DataDir, "registry")}
	if err := os.MkdirAll(filepath.Join(r.dir, "storage"), 0o700); err != nil {
		return nil, fmt.Errorf("new registry: %w", err)
	}
	var err error
	if r.keys, err = loadOrMakeSecret(filepath.Join(r.dir, "secret")); err != nil {
		return nil, err
	}
	if r.ca, err = loadOrMakeCA(r.dir); err != nil {
		return nil, err
	}
	return r, nil
}

// Host is the host:port under which daemons reach the registry.
func (r *Registry) Host() string { return r.cfg.Host }

// CA is the PEM of the registry's CA, what a node must trust (see Trust).
func (r *Registry) CA() []byte { return r.ca.certPEM }

// PullCredential is the pull-only credential of app's repository.
func (r *Registry) PullCredential(app string) Credential { return r.keys.pull(app) }

// Start listens on Listen with TLS and serves the registry until Stop. It
// makes this machine's daemon trust the registry (see Trust). Starting a
// started registry is an error.
func (r *Registry) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return errors.New("start registry: already started")
	}
	host, _, _ := net.SplitHostPort(r.cfg.Host)
	cert, err := r.ca.serverCert(r.dir, host)
	if err != nil {
		return fmt.Errorf("start registry: %w", err)
	}
	cert.Certificate = append(cert.Certificate, r.ca.cert.Raw) // joining nodes fetch the CA here (FetchCA)
	if err := Trust(r.cfg.CertsDir, r.cfg.Host, r.ca.certPEM); err != nil {
		return fmt.Errorf("start registry: %w", err)
	}
	ln, err := net.Listen("tcp", r.cfg.Listen)
	if err != nil {
		return fmt.Errorf("start registry: listen on %s: %w", r.cfg.Listen, err)
	}
	quietLogrus(r.cfg.Log)
	r.app = handlers.NewApp(context.WithoutCancel(ctx), r.distributionConfig())
	r.ln = ln
	r.srv = &http.Server{
		Handler:           r.keys.guard(r.gated(r.app)),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(r.cfg.Log.Handler(), slog.LevelWarn),
	}
	go r.serve(r.srv, ln)
	r.startCollecting()
	r.cfg.Log.Info("registry started", "listen", ln.Addr().String(), "host", r.cfg.Host)
	return nil
}

func (r *Registry) serve(srv *http.Server, ln net.Listener) {
	if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		r.cfg.Log.Error("registry stopped", "err", err)
	}
}

// Addr is the address the registry listens on, nil when it is stopped.
func (r *Registry) Addr() net.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil {
		return nil
	}
	return r.ln.Addr()
}

// Stop stops listening and waits (until ctx ends) for requests in
// progress. Stopping a stopped registry does nothing.
func (r *Registry) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv == nil {
		return nil
	}
	r.stopCollecting()
	err := r.srv.Shutdown(ctx)
	_ = r.app.Shutdown()
	r.srv, r.ln, r.app = nil, nil, nil
	if err != nil {
		return fmt.Errorf("stop registry: %w", err)
	}
	return nil
}

// startCollecting runs Collect every CollectEvery until Stop.
func (r *Registry) startCollecting() {
	if r.cfg.CollectEvery <= 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stopLoop, r.loopDone = cancel, make(chan struct{})
	go func() {
		defer close(r.loopDone)
		t := time.NewTicker(r.cfg.CollectEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.collectAndLog(ctx)
			}
		}
	}()
}

func (r *Registry) collectAndLog(ctx context.Context) {
	removed, freed, err := r.Collect(ctx)
	if err != nil && ctx.Err() == nil {
		r.cfg.Log.Warn("registry garbage collection failed", "err", err)
		return
	}
	if len(removed) > 0 {
		r.cfg.Log.Info("registry garbage collected", "removed", len(removed), "bytes_freed", freed)
	}
}

// stopCollecting ends the loop of startCollecting and waits for it.
func (r *Registry) stopCollecting() {
	if r.stopLoop == nil {
		return
	}
	r.stopLoop()
	<-r.loopDone
	r.stopLoop, r.loopDone = nil, nil
}

// gated holds the shared side of gate around every request.
func (r *Registry) gated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.gate.RLock()
		defer r.gate.RUnlock()
		next.ServeHTTP(w, req)
	})
}

// distributionConfig is the registry's configuration: filesystem storage
// under the data dir, deletes on (for Collect), no redirects, no auth of
// its own (guard does it), an HTTP secret derived from ours.
func (r *Registry) distributionConfig() *configuration.Configuration {
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{
			"filesystem":  configuration.Parameters{"rootdirectory": r.storageDir()},
			"delete":      configuration.Parameters{"enabled": true},
			"redirect":    configuration.Parameters{"disable": true},
			"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		},
	}
	cfg.HTTP.Secret = r.keys.password("http-secret")
	return cfg
}

func (r *Registry) storageDir() string { return filepath.Join(r.dir, "storage") }

var quietOnce sync.Once

// quietLogrus sends the lines of the logrus logger the distribution
// project logs through to log at debug level: it logs every request, and
// every expected 404 of a push ("blob unknown") at error level. What goes
// wrong for Quayside reaches it as an error of Ship or Collect.
func quietLogrus(log *slog.Logger) {
	quietOnce.Do(func() {
		logrus.SetOutput(debugWriter{log})
		logrus.SetLevel(logrus.WarnLevel)
	})
}

// debugWriter writes each line it gets to a slog logger at debug level.
type debugWriter struct{ log *slog.Logger }

func (w debugWriter) Write(p []byte) (int, error) {
	w.log.Debug("registry", "line", strings.TrimSpace(string(p)))
	return len(p), nil
}
