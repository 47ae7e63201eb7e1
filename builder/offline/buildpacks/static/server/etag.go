package main

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"
)

// etagCache remembers each file's ETag, made from its content, while the
// file's size and modification time stay the same. Content, not time: every
// file of a buildpack-built image carries the same modification time.
type etagCache struct {
	mu      sync.Mutex
	entries map[string]etagEntry
}

// etagEntry is the ETag of one version of a file.
type etagEntry struct {
	size    int64
	modTime time.Time
	tag     string
}

// get returns the ETag of the open file f named name, hashing it on first
// use; f is left at its start.
func (c *etagCache) get(name string, info fs.FileInfo, f io.ReadSeeker) (string, error) {
	c.mu.Lock()
	e, ok := c.entries[name]
	c.mu.Unlock()
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.tag, nil
	}
	tag, err := contentTag(f)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]etagEntry)
	}
	c.entries[name] = etagEntry{size: info.Size(), modTime: info.ModTime(), tag: tag}
	c.mu.Unlock()
	return tag, nil
}

// contentTag hashes f into a strong ETag and rewinds it.
func contentTag(f io.ReadSeeker) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rewind file: %w", err)
	}
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`, nil
}
