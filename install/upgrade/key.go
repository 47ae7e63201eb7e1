package upgrade

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// ReleaseKey is the public key that signs Quayside's releases: the
// base64 of its 32 bytes. install/install.sh holds the same string.
//
// It is a variable so that a self-built release can stamp its own key at
// build time (go build -ldflags "-X
// github.com/quayside/quayside/install/upgrade.ReleaseKey=<base64>"); see
// also KeyEnv.
var ReleaseKey = "Ud9c6QnDpq5ZIvvj5SzbqiU9+wvLf5/w6rWwLPNEsKs="

// KeyEnv names the environment variable that replaces ReleaseKey at run
// time, for self-built releases and tests: QUAYSIDE_PUBKEY=<base64>. It
// gives no one more power than they have: whoever sets the environment of
// `quayside upgrade` (run as root) could as well replace the binary.
const KeyEnv = "QUAYSIDE_PUBKEY"

// TrustedKey is the key releases are checked against: $QUAYSIDE_PUBKEY
// when set, else ReleaseKey.
func TrustedKey() (ed25519.PublicKey, error) {
	if s := os.Getenv(KeyEnv); s != "" {
		k, err := ParsePublicKey(s)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", KeyEnv, err)
		}
		return k, nil
	}
	return ParsePublicKey(ReleaseKey)
}

// ParsePublicKey reads a public key written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("parse public key: want the base64 of %d bytes", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// EncodePublicKey is the base64 of the key's 32 bytes: the form of
// ReleaseKey, QUAYSIDE_PUBKEY and install.sh's RELEASE_KEY.
func EncodePublicKey(k ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(k)
}

// ParsePrivateKey reads a key file written by EncodePrivateKey: the base64
// of the 32-byte seed on one line.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("parse private key: want the base64 of a %d-byte ed25519 seed", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// EncodePrivateKey is the key file's content.
func EncodePrivateKey(k ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(k.Seed()) + "\n"
}
