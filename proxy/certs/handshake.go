package certs

import (
	"context"
	"crypto/tls"
	"errors"
	"time"

	"github.com/mholt/acmez/v3"

	"github.com/quayside/quayside/engine"
)

// handshakeWait bounds how long a handshake for an allowed host waits for
// a certificate being obtained.
const handshakeWait = 15 * time.Second

var (
	errNoName         = errors.New("certs: no server name")
	errNotServed      = errors.New("certs: no certificate for this name")
	errNotObtainedYet = errors.New("certs: the certificate is not there yet")
)

// TLSConfig returns the configuration of the proxy's TLS listener: HTTP/2
// and HTTP/1.1, TLS 1.2 or newer, certificates from GetCertificate, and the
// acme-tls/1 protocol of the TLS-ALPN-01 challenge (ACME mode). Each call
// returns a new copy.
//
// A handshake for a name Allowed rejects fails at once: no storage, no
// network, no issuance. A handshake for an allowed host without a
// certificate starts managing the host and waits up to 15 seconds for the
// certificate (the normal path is Manage, which gets it beforehand).
func (m *Manager) TLSConfig() *tls.Config { return m.tls.Clone() }

func (m *Manager) newTLSConfig() *tls.Config {
	protos := []string{"h2", "http/1.1"}
	if m.acme != nil {
		base := m.acme.magic.TLSConfig() // carries acme-tls/1
		protos = append(protos, base.NextProtos...)
	}
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     protos,
		GetCertificate: m.getCertificate,
	}
}

func (m *Manager) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	host := serverName(hello)
	if host == "" {
		return nil, errNoName
	}
	if !m.cfg.Allowed(host) {
		return nil, errNotServed
	}
	if m.local != nil {
		return m.localHandshake(host)
	}
	if isChallenge(hello) {
		return m.acme.magic.GetCertificate(hello)
	}
	if name := m.certName(host); !m.state.has(name, time.Now()) && !m.await(hello.Context(), name) {
		return nil, errNotObtainedYet
	}
	return m.acme.magic.GetCertificate(hello)
}

func (m *Manager) localHandshake(host string) (*tls.Certificate, error) {
	if !m.state.has(host, time.Now()) {
		if err := m.manage(host); err != nil {
			return nil, err
		}
	}
	return m.localCertificate(host)
}

// isChallenge reports whether hello is a TLS-ALPN-01 validation: it offers
// acme-tls/1 and nothing else.
func isChallenge(hello *tls.ClientHelloInfo) bool {
	return len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acmez.ACMETLS1Protocol
}

// await makes sure host is managed and waits until its certificate is in
// memory, the attempt fails, ctx ends or handshakeWait passes. It does not
// wait for a host whose last attempt failed.
func (m *Manager) await(ctx context.Context, host string) bool {
	if err := m.manage(host); err != nil {
		return false
	}
	timer := time.NewTimer(handshakeWait)
	defer timer.Stop()
	for {
		changed, state := m.state.watch(host, time.Now())
		switch state {
		case engine.CertValid:
			return true
		case engine.CertFailed, engine.CertNone:
			return false
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		case <-m.ctx.Done(): // closing
			return false
		case <-timer.C:
			return false
		}
	}
}
