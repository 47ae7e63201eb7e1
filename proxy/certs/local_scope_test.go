package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalRootIsConstrainedToTheDomain(t *testing.T) {
	now := time.Now()
	ca, _, err := loadOrCreateLocalCA(t.TempDir(), scopeFor("localhost"), now)
	require.NoError(t, err)
	root, err := firstCertificate(ca.rootPEM)
	require.NoError(t, err)
	assert.True(t, root.PermittedDNSDomainsCritical)
	assert.Equal(t, []string{"localhost"}, root.PermittedDNSDomains)
	require.Len(t, root.PermittedIPRanges, 2)
	assert.Equal(t, "127.0.0.0/8", root.PermittedIPRanges[0].String())
	assert.Equal(t, "::1/128", root.PermittedIPRanges[1].String())
	assert.WithinDuration(t, now.Add(365*24*time.Hour), root.NotAfter, time.Hour, "the root lives a year")

	roots := x509.NewCertPool()
	roots.AddCert(root)
	leaf, _, err := ca.leaf("app.localhost", now)
	require.NoError(t, err)
	assert.LessOrEqual(t, leaf.cert.Leaf.NotAfter.Sub(now), 7*24*time.Hour, "leaves live at most a week")
	_, err = leaf.cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "app.localhost"})
	assert.NoError(t, err, "a leaf under the domain verifies")

	t.Run("the CA refuses to sign for another site", func(t *testing.T) {
		_, _, err := ca.leaf("bank.example.com", now)
		assert.ErrorContains(t, err, "only signs for names under localhost")
		_, _, err = ca.leaf("203.0.113.7", now)
		assert.Error(t, err)
	})
	t.Run("a leaf for another site signed with the root's key fails verification", func(t *testing.T) {
		for _, host := range []string{"bank.example.com", "localhost.example.com"} {
			forged := forgeLeaf(t, ca, host, now)
			_, err := forged.Verify(x509.VerifyOptions{Roots: roots, DNSName: host})
			var invalid x509.CertificateInvalidError
			require.True(t, errors.As(err, &invalid), "%s: %v", host, err)
			assert.Equal(t, x509.CANotAuthorizedForThisName, invalid.Reason, host)
		}
	})
}

// forgeLeaf signs a leaf for host with the CA's key, bypassing issue's
// check: what someone holding the root key could do.
func forgeLeaf(t *testing.T, ca *localCA, host string, now time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return leaf
}

func TestLocalScope(t *testing.T) {
	cases := []struct {
		domain string
		allow  []string
		refuse []string
	}{
		{"localhost", []string{"localhost", "app.localhost", "a.b.localhost", "127.0.0.1", "::1"}, []string{"example.com", "localhost.example.com", "xlocalhost", "10.0.0.1"}},
		{"", []string{"app.localhost"}, []string{"example.com"}},
		{"quayside.localhost", []string{"app.quayside.localhost", "127.0.0.1"}, []string{"app.localhost", "example.com"}},
		{"192.168.1.5", []string{"192.168.1.5", "127.0.0.1", "app.localhost"}, []string{"192.168.1.6", "example.com"}},
	}
	for _, tc := range cases {
		s := scopeFor(tc.domain)
		for _, h := range tc.allow {
			assert.True(t, s.allows(h), "%q allows %s", tc.domain, h)
		}
		for _, h := range tc.refuse {
			assert.False(t, s.allows(h), "%q refuses %s", tc.domain, h)
		}
	}
}

func TestLocalRootIsReplacedWhenOutdated(t *testing.T) {
	now := time.Now()
	t.Run("an unconstrained root of an older Quayside", func(t *testing.T) {
		dir := t.TempDir()
		writeUnconstrainedRoot(t, dir, now)
		ca, why, err := loadOrCreateLocalCA(dir, scopeFor("localhost"), now)
		require.NoError(t, err)
		assert.Equal(t, "the root is not constrained to this server's domain", why)
		assert.Equal(t, []string{"localhost"}, ca.cert.PermittedDNSDomains)
		old, _ := filepath.Glob(filepath.Join(dir, "root.pem.replaced-*"))
		assert.Len(t, old, 1, "the old root is kept aside")
		_, why, err = loadOrCreateLocalCA(dir, scopeFor("localhost"), now)
		require.NoError(t, err)
		assert.Empty(t, why, "the new root stays")
	})
	t.Run("another domain", func(t *testing.T) {
		dir := t.TempDir()
		_, _, err := loadOrCreateLocalCA(dir, scopeFor("localhost"), now)
		require.NoError(t, err)
		ca, why, err := loadOrCreateLocalCA(dir, scopeFor("dev.localhost"), now)
		require.NoError(t, err)
		assert.NotEmpty(t, why)
		assert.Equal(t, []string{"dev.localhost"}, ca.cert.PermittedDNSDomains)
	})
	t.Run("a root that expires within a month", func(t *testing.T) {
		dir := t.TempDir()
		first, _, err := loadOrCreateLocalCA(dir, scopeFor("localhost"), now)
		require.NoError(t, err)
		later := now.Add(340 * 24 * time.Hour)
		again, why, err := loadOrCreateLocalCA(dir, scopeFor("localhost"), later)
		require.NoError(t, err)
		assert.Equal(t, "the root expires within 30 days", why)
		assert.True(t, again.cert.NotAfter.After(first.cert.NotAfter))
	})
}

// writeUnconstrainedRoot writes a root as Quayside made them before: no
// name constraints, ten years.
func writeUnconstrainedRoot(t *testing.T, dir string, now time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl, err := rootTemplate(key, now)
	require.NoError(t, err)
	tmpl.NotAfter = now.Add(10 * 365 * 24 * time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "root-key.pem"), pemBlock("EC PRIVATE KEY", keyDER), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "root.pem"), pemBlock("CERTIFICATE", der), 0o644))
}
