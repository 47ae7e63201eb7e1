package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Secrets are random and long enough that a fast hash is safe to store:
// nobody can guess them, so SHA-256 only has to hide them from a reader of
// the database.
const (
	secretBytes     = 32 // session IDs, CSRF tokens, setup links
	tokenPrefix     = "qs_"
	tokenRandomLen  = 40 // base62 characters: about 238 bits
	tokenShownLen   = 8  // characters of a token kept to recognise it
	maxSecretLength = 256
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomSecret is secretBytes random bytes, base64url without padding.
func randomSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newTokenSecret is "qs_" and tokenRandomLen random base62 characters.
func newTokenSecret() (string, error) {
	out := make([]byte, 0, len(tokenPrefix)+tokenRandomLen)
	out = append(out, tokenPrefix...)
	buf := make([]byte, 64)
	for len(out) < cap(out) {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		for _, c := range buf {
			// 248 = 4*62: dropping larger bytes keeps every character equally likely.
			if c < 248 && len(out) < cap(out) {
				out = append(out, base62[c%62])
			}
		}
	}
	return string(out), nil
}

// hashSecret is the hex SHA-256 of a secret, as stored.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// plausibleSecret rejects input that cannot be a secret before any lookup.
func plausibleSecret(s string) bool {
	return s != "" && len(s) <= maxSecretLength
}
