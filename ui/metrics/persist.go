package metrics

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// historyVersion is the layout of the history file; a file of another
// version is ignored.
const historyVersion = 1

// savedHistory is the history file's content.
type savedHistory struct {
	Version int
	Apps    map[string]savedApp
}

// savedApp is one app's history, oldest points first.
type savedApp struct {
	Fine, Coarse []point
	Rollup       rollup
}

// save writes the history to its file atomically: a temporary file in the
// same directory, renamed over the old one. Errors are logged too.
func (m *Metrics) save() error {
	if m.path == "" {
		return nil
	}
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	if err := writeAtomic(m.path, m.hist.snapshot(m.now())); err != nil {
		m.log.Error("save metrics history", "path", m.path, "err", err)
		return fmt.Errorf("save metrics history: %w", err)
	}
	return nil
}

// snapshot returns a copy of the history to save, forgetting the apps
// with nothing in the last week first.
func (h *history) snapshot(now time.Time) savedHistory {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.prune(now.Unix())
	out := savedHistory{Version: historyVersion, Apps: make(map[string]savedApp, len(h.apps))}
	for app, a := range h.apps {
		out.Apps[app] = savedApp{Fine: a.fine.points(), Coarse: a.coarse.points(), Rollup: a.acc}
	}
	return out
}

// writeAtomic writes sh to path through a temporary file (mode 0600).
func writeAtomic(path string, sh savedHistory) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := gob.NewEncoder(bw).Encode(sh); err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close history: %w", err)
	}
	return os.Rename(f.Name(), path)
}

// load reads the history file, if any. A file that cannot be read is
// logged and the history starts empty: charts are not worth failing for.
func (m *Metrics) load() {
	if m.path == "" {
		return
	}
	sh, err := readHistory(m.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case err != nil:
		m.log.Warn("metrics history is unreadable, starting a new one", "path", m.path, "err", err)
		return
	}
	m.hist.restore(sh, m.now().Unix())
}

// readHistory decodes the history file at path. gob is not hardened
// against hostile input; a decoder panic is turned into an error.
func readHistory(path string) (sh savedHistory, err error) {
	f, err := os.Open(path)
	if err != nil {
		return sh, err
	}
	defer f.Close()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode history: %v", r)
		}
	}()
	if err := gob.NewDecoder(io.LimitReader(bufio.NewReader(f), maxHistoryFile)).Decode(&sh); err != nil {
		return sh, fmt.Errorf("decode history: %w", err)
	}
	if sh.Version != historyVersion {
		return sh, fmt.Errorf("history file version %d, want %d", sh.Version, historyVersion)
	}
	return sh, nil
}

// maxHistoryFile bounds what is read of the history file: 64 MiB, some
// 600 apps' full history.
const maxHistoryFile = 64 << 20

// restore puts the saved apps' points in the history, trimmed to size.
func (h *history) restore(sh savedHistory, now int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for app, sa := range sh.Apps {
		if app == "" {
			continue
		}
		a := &appHistory{fine: ringOf(sa.Fine, fineSize), coarse: ringOf(sa.Coarse, coarseSize), acc: sa.Rollup}
		if a.acc.N <= 0 || a.acc.Seconds <= 0 {
			a.acc = rollup{}
		}
		h.apps[app] = a
	}
	h.prune(now)
}
