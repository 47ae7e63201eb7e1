package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// KeySize is the size in bytes of the key that encrypts config at rest
// (AES-256).
const KeySize = 32

// sealFormat is the first byte of every sealed blob, so that a later
// format or key scheme can be told apart.
const sealFormat byte = 1

var errOpenFailed = errors.New("decryption failed")

// newAEAD returns AES-256-GCM under key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, engine.Errorf(engine.EINVALID, "the config encryption key is %d bytes long: it must be exactly %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	return aead, nil
}

// seal encrypts plaintext bound to aad as format byte || random nonce ||
// ciphertext and tag.
func seal(aead cipher.AEAD, plaintext, aad []byte) []byte {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealFormat
	nonce := out[1:]
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails; it crashes the program instead
	return aead.Seal(out, nonce, plaintext, aad)
}

// unseal decrypts what seal made with the same key and aad. Any other key,
// aad or a changed byte gives errOpenFailed.
func unseal(aead cipher.AEAD, blob, aad []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(blob) < 1+ns+aead.Overhead() || blob[0] != sealFormat {
		return nil, errOpenFailed
	}
	plain, err := aead.Open(nil, blob[1:1+ns], blob[1+ns:], aad)
	if err != nil {
		return nil, errOpenFailed
	}
	return plain, nil
}

// configAAD binds a config blob to its app and version, so that it cannot
// be moved to another app or version without failing to decrypt.
func configAAD(app string, version int) []byte {
	return fmt.Appendf(nil, "quayside/config/v1\x00%s\x00%d", app, version)
}
