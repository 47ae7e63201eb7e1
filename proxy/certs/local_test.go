package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func newLocal(t *testing.T, dir string, hosts *hostSet) *Manager {
	t.Helper()
	m, err := New(Config{Dir: dir, Mode: ModeLocal, Allowed: hosts.allowed, Logger: testLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

func TestLocalMode(t *testing.T) {
	dir := t.TempDir()
	hosts := allow("app.localhost", "127.0.0.1")
	m := newLocal(t, dir, hosts)
	ln := listen(t)
	serve(t, ln, m.TLSConfig(), appHandler)
	addr := ln.Addr().String()
	roots := pool(t, m.RootPEM())

	t.Run("the root is a 1-year ECDSA P-256 CA with its key kept 0600", func(t *testing.T) {
		root, err := firstCertificate(m.RootPEM())
		require.NoError(t, err)
		assert.True(t, root.IsCA)
		assert.Regexp(t, `^Quayside Local CA [0-9a-f]{8}$`, root.Subject.CommonName)
		assert.WithinDuration(t, time.Now().Add(365*24*time.Hour), root.NotAfter, 24*time.Hour)
		pub, ok := root.PublicKey.(*ecdsa.PublicKey)
		require.True(t, ok)
		assert.Equal(t, elliptic.P256(), pub.Curve)
		info, err := os.Stat(filepath.Join(dir, "local-ca", "root-key.pem"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		info, err = os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	})

	t.Run("a name gets a short-lived leaf that chains to the root, over h2", func(t *testing.T) {
		assert.False(t, m.HasCertificate("app.localhost"), "nothing before it is asked for")
		cs, err := handshake(addr, "app.localhost", roots)
		require.NoError(t, err)
		leaf := cs.PeerCertificates[0]
		assert.Equal(t, []string{"app.localhost"}, leaf.DNSNames)
		assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), leaf.NotAfter, time.Hour)
		assert.Equal(t, "h2", cs.NegotiatedProtocol)
		assert.True(t, m.HasCertificate("app.localhost"))

		resp := get(t, addr, "app.localhost", roots)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, "app says hi over HTTP/2.0", string(body))

		st := m.Status(context.Background(), []string{"app.localhost"})[0]
		assert.Equal(t, engine.CertValid, st.State)
		assert.Regexp(t, `^Quayside Local CA `, st.Issuer)
		assert.Equal(t, leaf.NotAfter, st.NotAfter)
		lifetime := leaf.NotAfter.Sub(leaf.NotBefore)
		assert.WithinDuration(t, leaf.NotBefore.Add(lifetime*2/3), st.RenewAt, time.Second)
	})

	t.Run("an IP address gets a leaf with an IP SAN", func(t *testing.T) {
		cs, err := handshake(addr, "", roots) // clients send no SNI for an IP
		require.NoError(t, err)
		leaf := cs.PeerCertificates[0]
		require.Len(t, leaf.IPAddresses, 1)
		assert.True(t, leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)))
		_, err = leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: roots})
		assert.NoError(t, err)
	})

	t.Run("names that are not routed get nothing", func(t *testing.T) {
		_, err := handshake(addr, "other.localhost", nil)
		assert.Error(t, err)
		assert.False(t, m.HasCertificate("other.localhost"))
		err = m.Manage(context.Background(), []string{"other.localhost"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})

	t.Run("Manage issues at once; Unmanage forgets", func(t *testing.T) {
		hosts.add("api.localhost")
		require.NoError(t, m.Manage(context.Background(), []string{"API.localhost"}))
		assert.True(t, m.HasCertificate("api.localhost"))
		require.NoError(t, m.Unmanage(context.Background(), []string{"api.localhost"}))
		assert.False(t, m.HasCertificate("api.localhost"))
		assert.Equal(t, engine.CertNone, m.Status(context.Background(), []string{"api.localhost"})[0].State)
	})

	t.Run("a restart keeps the root", func(t *testing.T) {
		again := newLocal(t, dir, hosts)
		assert.Equal(t, m.RootPEM(), again.RootPEM())
		assert.Nil(t, (&Manager{}).RootPEM(), "ACME mode has no root to export")
	})
}

func TestLocalLeafRenewsAtTwoThirds(t *testing.T) {
	now := time.Now()
	ca, _, err := loadOrCreateLocalCA(t.TempDir(), scopeFor("localhost"), now)
	require.NoError(t, err)
	first, fresh, err := ca.leaf("app.localhost", now)
	require.NoError(t, err)
	assert.True(t, fresh)
	same, fresh, err := ca.leaf("app.localhost", now.Add(4*24*time.Hour))
	require.NoError(t, err)
	assert.False(t, fresh, "4 of 7 days: still the same leaf")
	assert.Same(t, first, same)
	renewed, fresh, err := ca.leaf("app.localhost", now.Add(5*24*time.Hour))
	require.NoError(t, err)
	assert.True(t, fresh, "5 of 7 days: past 2/3, a new leaf")
	assert.True(t, renewed.info.notAfter.After(first.info.notAfter))
}

func TestLocalCARejectsBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	_, _, err := loadOrCreateLocalCA(dir, scopeFor("localhost"), time.Now())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "root-key.pem"), []byte("junk"), 0o600))
	_, _, err = loadOrCreateLocalCA(dir, scopeFor("localhost"), time.Now())
	require.Error(t, err, "a damaged CA is an error, never silently replaced")
	assert.True(t, strings.Contains(err.Error(), "local CA"), err.Error())
}
