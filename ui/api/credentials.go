package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

// Credentials is what `quayside login` keeps: the server and a token.
type Credentials struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	User  string `json:"user"`
}

// CredentialsPath is the CLI's token file in the user's config directory
// (~/.config/quayside/credentials.json on Linux).
func CredentialsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w", err)
	}
	return filepath.Join(dir, "quayside", "credentials.json"), nil
}

// LoadCredentials reads the saved credentials. A missing file is an
// error satisfying errors.Is(err, fs.ErrNotExist); an unreadable one is
// EINVALID and says to log in again.
func LoadCredentials() (*Credentials, error) {
	p, err := CredentialsPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%s is not readable (%v): run `quayside login URL` again", p, err)
	}
	return &c, nil
}

// SaveCredentials writes c readable by the user only (the directory 0700,
// the file 0600, replaced atomically) and returns the file's path.
func SaveCredentials(c *Credentials) (string, error) {
	p, err := CredentialsPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	return p, os.Rename(tmp, p)
}

// RemoveCredentials forgets the saved credentials; none saved is no error.
// It does not revoke the token.
func RemoveCredentials() error {
	p, err := CredentialsPath()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}
