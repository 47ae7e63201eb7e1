package upgrade

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
)

// Names and size caps of the release files.
const (
	SumsFile = "SHA256SUMS"
	SigFile  = "SHA256SUMS.sig"

	MaxBinarySize = 200 << 20 // a binary is about 30 MB
	MaxSumsSize   = 1 << 20
	MaxSigSize    = 4 << 10
)

// Errors of Verify and ChecksumFor; callers explain them to the user.
var (
	ErrBadSignature = errors.New("the signature of SHA256SUMS does not verify with the release key")
	ErrNoChecksum   = errors.New("SHA256SUMS has no line for the file")
)

// Sign returns the content of SHA256SUMS.sig for sums.
func Sign(k ed25519.PrivateKey, sums []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(k, sums)) + "\n")
}

// Verify checks sig (the content of SHA256SUMS.sig) over sums with pub. It
// returns ErrBadSignature for any signature that is malformed, made by
// another key or made over other bytes.
func Verify(pub ed25519.PublicKey, sums, sig []byte) error {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sig)))
	if err != nil || len(raw) != ed25519.SignatureSize || len(pub) != ed25519.PublicKeySize {
		return ErrBadSignature
	}
	if !ed25519.Verify(pub, sums, raw) {
		return ErrBadSignature
	}
	return nil
}

// ChecksumFor finds file's lower-case hex SHA-256 in SHA256SUMS text
// ("<hex>  <file>" or "<hex> *<file>" lines), or returns ErrNoChecksum.
func ChecksumFor(sums []byte, file string) (string, error) {
	for _, line := range strings.Split(string(sums), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.TrimPrefix(f[1], "*") == file && len(f[0]) == 64 {
			return strings.ToLower(f[0]), nil
		}
	}
	return "", ErrNoChecksum
}
