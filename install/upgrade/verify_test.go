package upgrade

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return pub, priv
}

func TestVerify(t *testing.T) {
	pub, priv := testKey(t)
	otherPub, otherPriv := testKey(t)
	sums := []byte("aa  quayside-linux-amd64\n")
	sig := Sign(priv, sums)

	assert.NoError(t, Verify(pub, sums, sig), "a good signature")
	assert.ErrorIs(t, Verify(otherPub, sums, sig), ErrBadSignature, "another key")
	assert.ErrorIs(t, Verify(pub, sums, Sign(otherPriv, sums)), ErrBadSignature, "signed by another key")
	assert.ErrorIs(t, Verify(pub, []byte("bb  quayside-linux-amd64\n"), sig), ErrBadSignature, "tampered SHA256SUMS")
	bad := append([]byte{}, sig...)
	bad[3] ^= 1
	assert.ErrorIs(t, Verify(pub, sums, bad), ErrBadSignature, "tampered signature")
	assert.ErrorIs(t, Verify(pub, sums, []byte("not base64!")), ErrBadSignature)
	assert.ErrorIs(t, Verify(pub, sums, nil), ErrBadSignature, "no signature")
}

func TestKeyEncoding(t *testing.T) {
	pub, priv := testKey(t)
	got, err := ParsePublicKey(EncodePublicKey(pub) + "\n")
	require.NoError(t, err)
	assert.Equal(t, pub, got)
	gotPriv, err := ParsePrivateKey(EncodePrivateKey(priv))
	require.NoError(t, err)
	assert.Equal(t, priv, gotPriv)
	_, err = ParsePublicKey("c2hvcnQ=")
	assert.Error(t, err)
	_, err = ParsePublicKey(ReleaseKey)
	assert.NoError(t, err, "the built-in release key parses")
}

func TestTrustedKey(t *testing.T) {
	pub, _ := testKey(t)
	t.Setenv(KeyEnv, "")
	k, err := TrustedKey()
	require.NoError(t, err)
	assert.Equal(t, ReleaseKey, EncodePublicKey(k))
	t.Setenv(KeyEnv, EncodePublicKey(pub))
	k, err = TrustedKey()
	require.NoError(t, err)
	assert.Equal(t, pub, k)
	t.Setenv(KeyEnv, "garbage")
	_, err = TrustedKey()
	assert.ErrorContains(t, err, KeyEnv)
}

func TestChecksumFor(t *testing.T) {
	a, b := "AB"+repeat("0", 62), repeat("1", 64)
	sums := []byte(a + "  quayside-linux-amd64\n" + b + " *quayside-linux-arm64\nbad line here\nabc  short\n")
	got, err := ChecksumFor(sums, "quayside-linux-amd64")
	require.NoError(t, err)
	assert.Equal(t, "ab"+repeat("0", 62), got)
	got, err = ChecksumFor(sums, "quayside-linux-arm64")
	require.NoError(t, err)
	assert.Equal(t, b, got)
	_, err = ChecksumFor(sums, "quayside-linux-riscv64")
	assert.ErrorIs(t, err, ErrNoChecksum)
	_, err = ChecksumFor(sums, "short")
	assert.ErrorIs(t, err, ErrNoChecksum, "not a SHA-256")
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }
