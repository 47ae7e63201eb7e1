package registry

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerCertIsReusedUntilTheHostChanges(t *testing.T) {
	dir := t.TempDir()
	ca, err := loadOrMakeCA(dir)
	require.NoError(t, err)
	first, err := ca.serverCert(dir, "10.0.0.1")
	require.NoError(t, err)
	again, err := ca.serverCert(dir, "10.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, first.Leaf.SerialNumber, again.Leaf.SerialNumber, "a fitting certificate was issued again")

	other, err := ca.serverCert(dir, "manager.example.com")
	require.NoError(t, err)
	assert.NoError(t, other.Leaf.VerifyHostname("manager.example.com"))
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	_, err = other.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "manager.example.com"})
	assert.NoError(t, err)

	reloaded, err := loadOrMakeCA(dir)
	require.NoError(t, err)
	assert.Equal(t, ca.certPEM, reloaded.certPEM, "the CA changed on reload: nodes would stop trusting it")
	fi, err := os.Stat(filepath.Join(dir, "ca.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestTrustRefusesPathsOutsideCertsDir(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{"../../etc:5000", "a/b:5000", "nohost", ":5000", `a\b:1`, "..:5000"} {
		assert.Error(t, Trust(dir, bad, []byte("x")), bad)
	}
	require.NoError(t, Trust(dir, "10.0.0.1:5443", []byte("pem")))
	b, err := os.ReadFile(filepath.Join(dir, "10.0.0.1:5443", "ca.crt"))
	require.NoError(t, err)
	assert.Equal(t, "pem", string(b))
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		assert.NotEqual(t, "etc:5000", e.Name())
	}
}
