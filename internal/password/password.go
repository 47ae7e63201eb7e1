// Package password hashes and checks passwords with argon2id, a
// memory-hard hash, in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so parameters can change
// without invalidating stored hashes.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Parameters of new hashes: 19 MiB, 2 passes, 1 lane (OWASP's argon2id
// minimum), which takes tens of milliseconds here.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// MaxLen bounds the passwords Hash accepts.
const MaxLen = 1024

// ErrMismatch is returned by Check for a wrong password.
var ErrMismatch = errors.New("password does not match")

var b64 = base64.RawStdEncoding

// Hash returns the argon2id hash of pw with a fresh random salt. It waits
// for its share of MaxMemoryKiB as long as that takes (HashContext bounds
// the wait).
func Hash(pw string) (string, error) {
	return HashContext(context.Background(), pw)
}

// HashContext is Hash that gives up waiting for memory when ctx ends, and
// then returns ctx's error.
func HashContext(ctx context.Context, pw string) (string, error) {
	if len(pw) > MaxLen {
		return "", fmt.Errorf("password longer than %d bytes", MaxLen)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key, err := idKey(ctx, []byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check returns nil if pw matches hash, ErrMismatch if not, and another
// error if hash is malformed. It waits for its share of MaxMemoryKiB as
// long as that takes (CheckContext bounds the wait).
func Check(hash, pw string) error {
	return CheckContext(context.Background(), hash, pw)
}

// CheckContext is Check that gives up waiting for memory when ctx ends,
// and then returns ctx's error (neither nil nor ErrMismatch).
func CheckContext(ctx context.Context, hash, pw string) error {
	p, err := parse(hash)
	if err != nil {
		return err
	}
	if len(pw) > MaxLen {
		return ErrMismatch
	}
	key, err := idKey(ctx, []byte(pw), p.salt, p.passes, p.memory, p.lanes, uint32(len(p.key)))
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(key, p.key) != 1 {
		return ErrMismatch
	}
	return nil
}

// idKey is argon2.IDKey run within MaxMemoryKiB: it reserves memoryKiB
// first, waiting while ctx lasts.
func idKey(ctx context.Context, pw, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
	if err := runs.acquire(ctx, int64(memoryKiB)); err != nil {
		return nil, fmt.Errorf("wait to hash password: %w", err)
	}
	defer runs.release(int64(memoryKiB))
	return argon2.IDKey(pw, salt, time, memoryKiB, threads, keyLen), nil
}

type params struct {
	memory, passes uint32
	lanes          uint8
	salt, key      []byte
}

func parse(hash string) (*params, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return nil, errors.New("not an argon2id hash")
	}
	var p params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.passes, &p.lanes); err != nil {
		return nil, fmt.Errorf("read argon2id parameters: %w", err)
	}
	if p.memory == 0 || p.memory > MaxMemoryKiB || p.passes == 0 || p.passes > 16 || p.lanes == 0 {
		return nil, errors.New("argon2id parameters out of range")
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil {
		return nil, fmt.Errorf("read salt: %w", err)
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return nil, errors.New("read key: malformed")
	}
	return &p, nil
}
