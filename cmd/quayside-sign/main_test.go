package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/install/upgrade"
)

func TestKeygenSignVerify(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "release.key")
	require.NoError(t, run([]string{"keygen", "-key", key}))
	info, err := os.Stat(key)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the private key is kept 0600")
	assert.Error(t, run([]string{"keygen", "-key", key}), "an existing key is never overwritten")

	ks, err := os.ReadFile(key)
	require.NoError(t, err)
	priv, err := upgrade.ParsePrivateKey(string(ks))
	require.NoError(t, err)
	pub := upgrade.EncodePublicKey(priv.Public().(ed25519.PublicKey))

	sums := filepath.Join(dir, "SHA256SUMS")
	require.NoError(t, os.WriteFile(sums, []byte(strings.Repeat("a", 64)+"  quayside-linux-amd64\n"), 0o644))
	require.NoError(t, run([]string{"sign", "-key", key, sums}))
	require.NoError(t, run([]string{"verify", "-pub", pub, sums}))
	assert.Error(t, run([]string{"verify", sums}), "the built-in release key did not sign it")

	require.NoError(t, os.WriteFile(sums, []byte(strings.Repeat("b", 64)+"  quayside-linux-amd64\n"), 0o644))
	assert.ErrorIs(t, run([]string{"verify", "-pub", pub, sums}), upgrade.ErrBadSignature, "a changed SHA256SUMS fails")
}
