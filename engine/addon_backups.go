package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Labels of backups: why each was taken.
const (
	BackupManual     = "manual"
	BackupDaily      = "daily"
	BackupFinal      = "final"
	BackupPreRestore = "pre-restore"
	BackupPreUpgrade = "pre-upgrade"
)

// backupTimeLayout starts every backup's file name; it sorts by time.
const backupTimeLayout = "20060102T150405.000Z"

// backupNameRe is what a backup's file name looks like: nothing else is
// ever opened, so "../" and other paths are refused.
var backupNameRe = regexp.MustCompile(`^([0-9]{8}T[0-9]{6}\.[0-9]{3}Z)-([a-z-]{1,20})\.dump$`)

// AddonBackup is one backup file of an add-on.
type AddonBackup struct {
	Name      string
	Label     string
	SizeBytes int64
	CreatedAt time.Time
}

// BackupAddon takes a backup of an add-on now (pg_dump custom format or a
// Redis RDB snapshot) into the server's add-on backup directory.
func (e *Engine) BackupAddon(ctx context.Context, app, name string) (b *AddonBackup, err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditAddonBackup, app, name, backupDetail(b), err) }()
	ctx, a, unlock, err := e.lockOwnedAddon(ctx, app, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return e.backupAddon(ctx, a, BackupManual)
}

func backupDetail(b *AddonBackup) string {
	if b == nil {
		return ""
	}
	return b.Name
}

// AddonBackups lists an add-on's backups, newest first.
func (e *Engine) AddonBackups(ctx context.Context, app, name string) ([]*AddonBackup, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	a, err := e.ownedAddon(ctx, app, name)
	if err != nil {
		return nil, err
	}
	return e.listBackups(a)
}

// backupDir is where a's backups are kept.
func (e *Engine) backupDir(a *Addon) string {
	return filepath.Join(e.cfg.AddonDir, a.App, a.Name)
}

// backupsAvailable refuses backups on a server that cannot take them.
func (e *Engine) backupsAvailable() error {
	if e.cfg.AddonDumper == nil || e.cfg.AddonDir == "" {
		return Errorf(EUNAVAILABLE, "add-on backups are not available on this server: it has no backup directory or no dump support in its Docker runtime")
	}
	return nil
}

// backupAddon dumps a into a new file (mode 0600, written whole before it
// gets its name) labelled label.
func (e *Engine) backupAddon(ctx context.Context, a *Addon, label string) (*AddonBackup, error) {
	if err := e.backupsAvailable(); err != nil {
		return nil, err
	}
	c, err := e.cfg.Addons.InspectAddon(ctx, a.App, a.Name)
	if err != nil {
		return nil, err
	}
	if !c.Running {
		return nil, Errorf(EUNAVAILABLE, "add-on %s of %s is not running (%s), so it cannot be backed up: see `quayside addons logs %s %s`", a.Name, a.App, c.State, a.App, a.Name)
	}
	dir := e.backupDir(a)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backup directory: %w", err)
	}
	now := e.now()
	b := &AddonBackup{Name: now.Format(backupTimeLayout) + "-" + label + ".dump", Label: label, CreatedAt: now}
	if b.SizeBytes, err = e.writeDump(ctx, a, c.ID, filepath.Join(dir, b.Name)); err != nil {
		return nil, err
	}
	a.LastBackup = now
	if err := e.cfg.Store.UpdateAddon(ctx, a); err != nil {
		return nil, err
	}
	e.log.Info("add-on backed up", "app", a.App, "addon", a.Name, "backup", b.Name, "bytes", b.SizeBytes)
	return b, nil
}

// writeDump dumps a into path through a temporary file and returns its size.
func (e *Engine) writeDump(ctx context.Context, a *Addon, container, path string) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".partial-*")
	if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(f.Name()) // gone after the rename; cleans up a failure
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return 0, fmt.Errorf("protect backup file: %w", err)
	}
	if err := e.cfg.AddonDumper.DumpAddon(ctx, a.DumpSpec(container), f); err != nil {
		f.Close()
		return 0, fmt.Errorf("dump add-on %s: %w", a.Name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write backup file: %w", err)
	}
	st, err := f.Stat()
	if err := errors.Join(err, f.Close()); err != nil {
		return 0, fmt.Errorf("write backup file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, fmt.Errorf("name backup file: %w", err)
	}
	return st.Size(), nil
}

// listBackups reads a's backup directory, newest first.
func (e *Engine) listBackups(a *Addon) ([]*AddonBackup, error) {
	if e.cfg.AddonDir == "" {
		return []*AddonBackup{}, nil
	}
	entries, err := os.ReadDir(e.backupDir(a))
	if errors.Is(err, fs.ErrNotExist) {
		return []*AddonBackup{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	out := []*AddonBackup{}
	for _, de := range entries {
		b, ok := parseBackup(de)
		if ok {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// parseBackup reads a backup file's entry; other files are not backups.
func parseBackup(de fs.DirEntry) (*AddonBackup, bool) {
	m := backupNameRe.FindStringSubmatch(de.Name())
	if m == nil || !de.Type().IsRegular() {
		return nil, false
	}
	t, err := time.Parse(backupTimeLayout, m[1])
	if err != nil {
		return nil, false
	}
	b := &AddonBackup{Name: de.Name(), Label: m[2], CreatedAt: t}
	if info, err := de.Info(); err == nil {
		b.SizeBytes = info.Size()
	}
	return b, true
}

// backupPath returns the path of a's backup called name after checking
// that name is one of its backups (never a path of another kind).
func (e *Engine) backupPath(a *Addon, name string) (string, error) {
	if !backupNameRe.MatchString(name) || strings.ContainsAny(name, `/\`) {
		return "", FieldError("backup", "%q is not the name of a backup: see `quayside addons backups list %s %s`", clipText(name, 80), a.App, a.Name)
	}
	p := filepath.Join(e.backupDir(a), name)
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return "", Errorf(ENOTFOUND, "add-on %s of %s has no backup %s: see `quayside addons backups list %s %s`", a.Name, a.App, name, a.App, a.Name)
	}
	return p, nil
}

// pruneBackups removes a's oldest backups labelled label beyond keep.
func (e *Engine) pruneBackups(a *Addon, label string, keep int) error {
	list, err := e.listBackups(a)
	if err != nil {
		return err
	}
	n := 0
	for _, b := range list {
		if b.Label != label {
			continue
		}
		if n++; n <= keep {
			continue
		}
		if err := os.Remove(filepath.Join(e.backupDir(a), b.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove old backup: %w", err)
		}
		e.log.Info("old add-on backup removed", "app", a.App, "addon", a.Name, "backup", b.Name)
	}
	return nil
}
