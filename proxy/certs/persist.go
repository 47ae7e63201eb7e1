package certs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// failure is a host's last failed attempt as saved on disk. Forgotten
// marks a host no longer managed whose failures are remembered for the
// backoff (see tracker.forget).
type failure struct {
	Error     string    `json:"error"`
	At        time.Time `json:"at"`
	Count     int       `json:"count"`
	Forgotten bool      `json:"forgotten,omitempty"`
}

// failureFile saves the failures of all hosts in one small JSON file.
type failureFile struct {
	mu   sync.Mutex // serializes writes
	path string
}

type failureDoc struct {
	Version  int                `json:"version"`
	Failures map[string]failure `json:"failures"`
}

// load reads the saved failures; a missing or unreadable file gives none.
func (f *failureFile) load(log *slog.Logger) map[string]failure {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var doc failureDoc
	if err == nil {
		err = json.Unmarshal(data, &doc)
	}
	if err != nil {
		log.Warn("ignoring unreadable certificate state", "path", f.path, "err", err)
		return nil
	}
	return doc.Failures
}

// write replaces the file atomically.
func (f *failureFile) write(failures map[string]failure) error {
	data, err := json.MarshalIndent(failureDoc{Version: 1, Failures: failures}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode certificate state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".state-*")
	if err != nil {
		return fmt.Errorf("write certificate state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write certificate state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write certificate state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("write certificate state: %w", err)
	}
	return nil
}
