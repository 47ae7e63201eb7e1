package certs

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3/acme"
)

// renewalRatio is the part of a certificate's lifetime left when certmagic
// renews it (its default).
const renewalRatio = certmagic.DefaultRenewalWindowRatio

// acmeCerts is the ACME side of a Manager: certmagic's cache, config and
// issuer, and the events that keep the tracker current.
type acmeCerts struct {
	m       *Manager
	cache   *certmagic.Cache
	magic   *certmagic.Config
	issuer  *certmagic.ACMEIssuer
	storage *countingStorage
	// wild and wildIssuer get the wildcard certificate through DNS-01
	// (Config.DNS); nil without it.
	wild       *certmagic.Config
	wildIssuer *certmagic.ACMEIssuer
}

func newACME(m *Manager) (*acmeCerts, error) {
	roots, err := m.cfg.trustedRoots()
	if err != nil {
		return nil, err
	}
	zl := zapLogger(m.log)
	a := &acmeCerts{m: m, storage: &countingStorage{fs: &certmagic.FileStorage{Path: filepath.Join(m.cfg.Dir, "acme")}}}
	a.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(c certmagic.Certificate) (*certmagic.Config, error) { return a.configForCert(c), nil },
		Logger:           zl,
	})
	a.magic, a.issuer = a.newConfig(issuerTemplate(m.cfg, roots))
	if m.cfg.DNS != nil {
		tmpl := issuerTemplate(m.cfg, roots)
		tmpl.DNS01Solver = &dnsSolver{cfg: *m.cfg.DNS}
		a.wild, a.wildIssuer = a.newConfig(tmpl)
	}
	return a, nil
}

// newConfig is a certmagic config on the shared cache and storage with
// one ACME issuer made from tmpl.
func (a *acmeCerts) newConfig(tmpl certmagic.ACMEIssuer) (*certmagic.Config, *certmagic.ACMEIssuer) {
	zl := zapLogger(a.m.log)
	cfg := certmagic.New(a.cache, certmagic.Config{
		Storage:        a.storage,
		OnEvent:        a.onEvent,
		ShouldEmitFunc: func(event string) bool { return trackedEvents[event] },
		// Let's Encrypt no longer runs OCSP; fetching staples would only
		// add network calls when loading certificates.
		OCSP:   certmagic.OCSPConfig{DisableStapling: true},
		Logger: zl,
	})
	iss := certmagic.NewACMEIssuer(cfg, tmpl)
	iss.Logger = zl
	cfg.Issuers = []certmagic.Issuer{iss}
	return cfg, iss
}

// configFor is the certmagic config that obtains and renews name's
// certificate: the DNS-01 one for a wildcard.
func (a *acmeCerts) configFor(name string) (*certmagic.Config, *certmagic.ACMEIssuer) {
	if a.wild != nil && strings.HasPrefix(name, "*.") {
		return a.wild, a.wildIssuer
	}
	return a.magic, a.issuer
}

// configForCert is configFor for a certificate in the cache.
func (a *acmeCerts) configForCert(c certmagic.Certificate) *certmagic.Config {
	for _, n := range c.Names {
		if cfg, _ := a.configFor(n); cfg == a.wild && a.wild != nil {
			return cfg
		}
	}
	return a.magic
}

// issuerTemplate is the ACME issuer for cfg. The listen host and ports are
// where the proxy answers challenges: certmagic finds them taken and so
// never starts a challenge server of its own.
func issuerTemplate(cfg Config, roots *x509.CertPool) certmagic.ACMEIssuer {
	httpHost, httpPort, _ := splitPort(cfg.HTTPAddr)
	_, tlsPort, _ := splitPort(cfg.HTTPSAddr)
	testCA := ""
	if cfg.CA != LetsEncrypt {
		testCA = cfg.CA // no staging CA to retry against (certmagic picks LE's own)
	}
	return certmagic.ACMEIssuer{
		CA:                      cfg.CA,
		TestCA:                  testCA,
		Email:                   cfg.Email,
		Agreed:                  true,
		DisableHTTPChallenge:    cfg.DisableHTTP01,
		DisableTLSALPNChallenge: cfg.DisableTLSALPN01,
		ListenHost:              httpHost,
		AltHTTPPort:             httpPort,
		AltTLSALPNPort:          tlsPort,
		TrustedRoots:            roots,
	}
}

// close stops certmagic's maintenance.
func (a *acmeCerts) close() { a.cache.Stop() }

// run brings host's certificate into memory: the stored one if there is
// one (renewed first when due), else a new one from the CA, retried with
// certmagic's backoff until ctx ends. Failures reach the tracker through
// onEvent.
func (a *acmeCerts) run(ctx context.Context, host string) {
	magic, _ := a.configFor(host)
	cert, err := magic.CacheManagedCertificate(ctx, host)
	switch {
	case err == nil:
		a.loaded(ctx, host, cert)
		a.renewIfDue(ctx, host, cert)
		return
	case !errors.Is(err, fs.ErrNotExist):
		a.m.log.Error("loading stored certificate", "host", host, "err", err)
		a.m.state.attemptFailed(host, "the stored certificate cannot be read: see the server log", time.Now())
		return
	}
	if !a.waitBackoff(ctx, host) {
		return
	}
	if err := magic.ObtainCertAsync(ctx, host); err != nil {
		return // reported by onEvent, or ctx ended
	}
	cert, err = magic.CacheManagedCertificate(ctx, host)
	if err != nil {
		a.m.log.Error("loading new certificate", "host", host, "err", err)
		return
	}
	a.loaded(ctx, host, cert)
}

// renewIfDue renews a certificate just loaded from storage that is due,
// then swaps it in memory. (Certificates that stay in memory are renewed by
// certmagic's maintenance.)
func (a *acmeCerts) renewIfDue(ctx context.Context, host string, old certmagic.Certificate) {
	magic, _ := a.configFor(host)
	if !old.NeedsRenewal(magic) || !a.waitBackoff(ctx, host) {
		return
	}
	if err := magic.RenewCertAsync(ctx, host, false); err != nil {
		return
	}
	cert, err := magic.CacheManagedCertificate(ctx, host)
	if err != nil {
		a.m.log.Error("loading renewed certificate", "host", host, "err", err)
		return
	}
	if cert.Hash() != old.Hash() {
		a.cache.Remove([]string{old.Hash()})
	}
	a.loaded(ctx, host, cert)
}

// waitBackoff delays the first attempt (obtain or renewal) for a host that
// failed before the last restart, so restarting Quayside does not hammer
// the CA. It returns false when ctx ended.
func (a *acmeCerts) waitBackoff(ctx context.Context, host string) bool {
	n, last := a.m.state.failures(host)
	if n == 0 {
		return true
	}
	wait := time.Until(last.Add(backoff(n)))
	if wait <= 0 {
		return true
	}
	a.m.log.Info("waiting before retrying a failed certificate", "host", host, "retry_in", wait.Round(time.Second))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

var backoffSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour,
}

// backoff is how long to wait after the n-th failure in a row (n >= 1).
func backoff(n int) time.Duration {
	return backoffSteps[min(n, len(backoffSteps))-1]
}

// loaded records a certificate run put into memory. When the host was
// unmanaged meanwhile (ctx ended), it takes the certificate out again.
func (a *acmeCerts) loaded(ctx context.Context, host string, cert certmagic.Certificate) {
	if ctx.Err() != nil {
		a.cache.Remove([]string{cert.Hash()})
		return
	}
	if cert.Leaf == nil {
		return
	}
	a.m.state.loaded(host, describeLeaf(cert.Leaf, ratioRenewAt(cert.Leaf)))
}

// ratioRenewAt is when certmagic renews leaf without ACME renewal info.
func ratioRenewAt(leaf *x509.Certificate) time.Time {
	lifetime := leaf.NotAfter.Sub(leaf.NotBefore)
	return leaf.NotAfter.Add(-time.Duration(float64(lifetime) * renewalRatio))
}

// renewAt refines renewAt with the renewal time the CA suggested (ACME
// renewal info), when certmagic stored one that comes earlier.
func (a *acmeCerts) renewAt(ctx context.Context, host string, renewAt time.Time) time.Time {
	_, iss := a.configFor(host)
	data, err := a.magic.Storage.Load(ctx, certmagic.StorageKeys.SiteMeta(iss.IssuerKey(), host))
	if err != nil {
		return renewAt
	}
	var meta struct {
		IssuerData struct {
			RenewalInfo *acme.RenewalInfo `json:"renewal_info"`
		} `json:"issuer_data"`
	}
	if json.Unmarshal(data, &meta) != nil || meta.IssuerData.RenewalInfo == nil {
		return renewAt
	}
	// certmagic renews once its check, every RenewCheckInterval, comes
	// within an interval of the time it selected in the CA's window.
	ari := meta.IssuerData.RenewalInfo.SelectedTime.Add(-certmagic.DefaultRenewCheckInterval)
	if !meta.IssuerData.RenewalInfo.SelectedTime.IsZero() && ari.Before(renewAt) {
		return ari
	}
	return renewAt
}

// storageOps counts storage operations (for tests).
func (a *acmeCerts) storageOps() int64 { return a.storage.ops.Load() }

// forget drops host's certificate from memory, which also ends its
// maintenance.
func (a *acmeCerts) forget(host string) {
	a.cache.RemoveManaged([]certmagic.SubjectIssuer{{Subject: host}})
}
