package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quayside/quayside/engine"
)

// closeTimeout bounds how long Close waits for background attempts.
const closeTimeout = 10 * time.Second

// Manager obtains, renews and serves TLS certificates. It implements
// engine.Certificates and is safe for concurrent use.
type Manager struct {
	cfg   Config
	log   *slog.Logger
	state *tracker
	acme  *acmeCerts // nil in local mode
	local *localCA   // nil in ACME mode
	tls   *tls.Config
	// wildName is "*.<domain>" when the wildcard is on (Config.DNS), else "".
	wildName string

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	wg     sync.WaitGroup
}

var _ engine.Certificates = (*Manager)(nil)

// New makes a Manager. It creates Dir (0700) and, in local mode, the local
// CA on first use; in ACME mode it talks to the CA only when a certificate
// is needed.
func New(cfg Config) (*Manager, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("make certificate dir: %w", err)
	}
	if err := os.Chmod(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("protect certificate dir: %w", err)
	}
	m := &Manager{cfg: cfg, log: cfg.Logger}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.state = newTracker(&failureFile{path: filepath.Join(cfg.Dir, "state.json")}, m.log)
	if err := m.initMode(); err != nil {
		m.cancel()
		return nil, err
	}
	m.tls = m.newTLSConfig()
	if m.acme != nil && m.acme.wild != nil {
		m.wildName = "*." + cfg.Domain
	}
	return m, nil
}

func (m *Manager) initMode() error {
	var err error
	if m.cfg.Mode == ModeLocal {
		var replaced string
		m.local, replaced, err = loadOrCreateLocalCA(filepath.Join(m.cfg.Dir, "local-ca"), scopeFor(m.cfg.Domain), time.Now())
		if replaced != "" {
			m.log.Warn("replaced the local CA's root: trust the new one (quayside ca export)", "why", replaced)
		}
	} else {
		m.acme, err = newACME(m)
	}
	return err
}

// Close stops renewals and background attempts, waiting up to 10 seconds
// for attempts in flight to end. Manage fails after Close.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeTimeout):
		m.log.Warn("certificate attempts still running after close")
	}
	if m.acme != nil {
		m.acme.close()
	}
	return nil
}

// Manage makes sure hosts have certificates and returns at once. A stored
// certificate is loaded (and renewed when due) in the background; a host
// without one gets one from the CA in the background, retried with backoff.
// Managing a managed host does nothing, so calling Manage at every deploy
// never orders anything again. Hosts that Allowed rejects are skipped and
// reported in an EINVALID error; the others are managed anyway.
func (m *Manager) Manage(ctx context.Context, hosts []string) error {
	var rejected []string
	for _, h := range hosts {
		host := normalizeHost(h)
		if !qualifies(host) || !m.cfg.Allowed(host) {
			rejected = append(rejected, h)
			continue
		}
		if err := m.manage(m.certName(host)); err != nil {
			return err
		}
	}
	if len(rejected) > 0 {
		return engine.Errorf(engine.EINVALID, "no app or domain is routed to %s: Quayside only gets certificates for hosts it serves", strings.Join(rejected, ", "))
	}
	return nil
}

// manage starts managing one allowed, normalized host.
func (m *Manager) manage(host string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return engine.Errorf(engine.EUNAVAILABLE, "the certificate manager is shutting down")
	}
	if m.local != nil {
		if m.state.manage(host, nil) {
			_, err := m.localCertificate(host)
			return err
		}
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	if !m.state.manage(host, cancel) {
		cancel()
		return nil
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.acme.run(ctx, host)
	}()
	return nil
}

// Unmanage stops renewing hosts' certificates and drops them from memory,
// so they are no longer served. Stored certificates stay on disk: managing
// a host again reuses its certificate instead of ordering a new one.
func (m *Manager) Unmanage(ctx context.Context, hosts []string) error {
	for _, h := range hosts {
		host := normalizeHost(h)
		if m.certName(host) != host {
			continue // the wildcard stays for the domain's other hosts
		}
		if cancel := m.state.forget(host); cancel != nil {
			cancel()
		}
		if m.local != nil {
			m.local.forget(host)
		} else {
			m.acme.forget(host)
		}
	}
	return nil
}

// Status reports each host's certificate (the wildcard's for a host it
// covers, see Config.DNS): valid (with issuer, expiry and
// when it will be renewed), pending, failed (LastError says why, in plain
// words) or none (not managed). A renewal that fails while the certificate
// is still valid shows as valid with LastError set. Failures are kept
// across restarts.
func (m *Manager) Status(ctx context.Context, hosts []string) []engine.CertStatus {
	now := time.Now()
	out := make([]engine.CertStatus, 0, len(hosts))
	for _, h := range hosts {
		asked := normalizeHost(h)
		host := m.certName(asked)
		if m.local != nil && m.state.managed(host) {
			_, _ = m.localCertificate(host) // renews a leaf that is due
		}
		st := m.state.status(host, now)
		if m.acme != nil && st.State == engine.CertValid {
			st.RenewAt = m.acme.renewAt(ctx, host, st.RenewAt)
		}
		st.Host = asked
		out = append(out, st)
	}
	return out
}

// HasCertificate reports whether a valid certificate for host (lowercase,
// no port) is in memory, so a TLS handshake for it succeeds. It is a map
// lookup without locks, cheap enough for every plain HTTP request.
func (m *Manager) HasCertificate(host string) bool {
	now := time.Now()
	if m.state.has(m.certName(host), now) {
		return true
	}
	n := requestHost(host)
	return n != host && m.state.has(m.certName(n), now)
}

// certName is the name of the certificate that serves host: *.Domain for
// a host one label under the domain when the wildcard is on (Config.DNS),
// else host itself.
func (m *Manager) certName(host string) string {
	if m.wildName == "" || !oneLabelUnder(host, m.cfg.Domain) {
		return host
	}
	return m.wildName
}

// isWildcard reports whether name is the wildcard certificate's name.
func (m *Manager) isWildcard(name string) bool {
	return m.wildName != "" && name == m.wildName
}

// oneLabelUnder reports whether host is exactly one label under domain:
// the names a certificate for *.domain covers.
func oneLabelUnder(host, domain string) bool {
	label, ok := strings.CutSuffix(host, "."+domain)
	return ok && label != "" && !strings.Contains(label, ".")
}

// RootPEM returns the local CA's root certificate in PEM, for users to
// trust (`quayside ca export`). It is nil in ACME mode.
func (m *Manager) RootPEM() []byte {
	if m.local == nil {
		return nil
	}
	return slices.Clone(m.local.rootPEM)
}

// localCertificate returns host's leaf from the local CA and records it.
func (m *Manager) localCertificate(host string) (*tls.Certificate, error) {
	l, fresh, err := m.local.leaf(host, time.Now())
	if err != nil {
		return nil, err
	}
	if fresh {
		m.state.loaded(host, l.info)
	}
	return l.cert, nil
}

// firstCertificate parses the first certificate of a PEM bundle.
func firstCertificate(pemData []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(pemData)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}
