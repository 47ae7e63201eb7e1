package store

import (
	"bytes"
	"crypto/cipher"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSealUnseal(t *testing.T) {
	aead, err := newAEAD(testKey)
	require.NoError(t, err)
	other, err := newAEAD(bytes.Repeat([]byte{7}, KeySize))
	require.NoError(t, err)
	aad := configAAD("web", 1)
	blob := seal(aead, []byte("secret"), aad)

	plain, err := unseal(aead, blob, aad)
	require.NoError(t, err)
	assert.Equal(t, []byte("secret"), plain)
	assert.NotEqual(t, blob, seal(aead, []byte("secret"), aad), "nonces are random")

	tampered := bytes.Clone(blob)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		aead      cipher.AEAD
		blob, aad []byte
	}{
		"wrong key":     {other, blob, aad},
		"other app":     {aead, blob, configAAD("api", 1)},
		"other version": {aead, blob, configAAD("web", 2)},
		"tampered":      {aead, tampered, aad},
		"short":         {aead, blob[:10], aad},
		"bad format":    {aead, append([]byte{9}, blob[1:]...), aad},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := unseal(tc.aead, tc.blob, tc.aad)
			assert.ErrorIs(t, err, errOpenFailed)
		})
	}
}

func TestNewAEADKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := newAEAD(make([]byte, n))
		requireCode(t, err, engine.EINVALID, "must be exactly 32")
	}
}

func TestConfigAADIsUnambiguous(t *testing.T) {
	assert.NotEqual(t, configAAD("a", 12), configAAD("a1", 2))
	assert.NotEqual(t, configAAD("web", 1), configAAD("web", 10))
}
