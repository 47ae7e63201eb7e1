package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

// LoadOrCreateKey returns the config encryption key kept in the file at
// path: exactly KeySize raw bytes, readable by its owner only. When the file
// does not exist it creates one from crypto/rand with mode 0600 (the
// directory must exist). A key file that group or others may read, that is
// not a regular file, or that has the wrong size is refused with an
// *engine.Error EINVALID that says how to fix it.
//
// Losing the key makes every stored config value unreadable: back it up
// with the database, but never beside it where others can read it.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path)
	}
	return key, err
}

// readKey reads and checks an existing key file.
func readKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open key file: %w", err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat key file: %w", err)
	}
	if err := checkKeyFile(path, fi); err != nil {
		return nil, err
	}
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(f, key); err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	return key, nil
}

// checkKeyFile refuses key files that are not private regular files of
// KeySize bytes.
func checkKeyFile(path string, fi fs.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return engine.Errorf(engine.EINVALID, "key file %s is not a regular file: point Quayside at the key file itself", path)
	case fi.Mode().Perm()&0o077 != 0:
		return engine.Errorf(engine.EINVALID, "key file %s can be read or written by other users (mode %04o): restrict it with \"chmod 600 %s\"", path, fi.Mode().Perm(), path)
	case fi.Size() != KeySize:
		return engine.Errorf(engine.EINVALID, "key file %s is %d bytes long but must hold exactly %d: restore the key file this server was set up with; remove it only if no config was ever stored, since config encrypted under the old key cannot be read with a new one", path, fi.Size(), KeySize)
	}
	return nil
}

// createKey writes a new random key to path, which must not exist. If
// another process creates it first, that key is used.
func createKey(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if err := writeKey(f, key); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return key, syncDir(filepath.Dir(path))
}

// writeKey writes key durably and closes f.
func writeKey(f *os.File, key []byte) error {
	_, err := f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return nil
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync key directory: %w", err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync key directory: %w", err)
	}
	return nil
}
