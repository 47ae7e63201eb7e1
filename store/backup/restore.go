package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

// Restore brings one backup into a data dir, with the daemon stopped (it
// takes the daemon's lock on the data dir, so neither can start while the
// other runs). The backup is read into a staging directory inside the
// data dir and checked in full (format, paths, limits, checksums, the
// database opening with the restored key) before anything in the data dir
// changes; then the data dir's entries are moved aside and the restored
// ones moved in.
type Restore struct {
	Data    string // the data dir, an absolute path
	Force   bool   // replace a data dir that already has apps
	Limits  Limits // what the backup may expand to
	Version string // the running Quayside's: newer backups are refused
	// Images loads the images a backup holds; nil when it holds none is
	// fine, and a backup with images then fails before the swap.
	Images Images
}

// Result is what a restore did.
type Result struct {
	Manifest *Manifest
	// Replaced holds what the data dir held before ("" when it held
	// nothing), inside the data dir.
	Replaced string
	// OldInstance is the replaced server's instance when it differs from
	// the backup's ("" otherwise): its containers still run.
	OldInstance string
}

// Run reads the unencrypted archive in and restores it. It refuses, with
// nothing in the data dir changed: a running daemon (ECONFLICT), a data
// dir with apps unless Force (ECONFLICT), and a backup that is newer,
// truncated, damaged, holds paths or files no backup has, does not match
// its manifest (EINVALID) or expands past Limits (ETOOLARGE).
func (r *Restore) Run(ctx context.Context, in io.Reader) (*Result, error) {
	if err := os.MkdirAll(r.Data, 0o700); err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot create the data dir %s: %v", r.Data, err)
	}
	unlock, err := lockDataDir(r.Data)
	if err != nil {
		return nil, err
	}
	defer unlock()
	old, err := r.checkTarget(ctx)
	if err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(r.Data, ".restore-*")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(staging)
	m, err := readBackup(in, staging, r.Limits, r.Version)
	if err != nil {
		return nil, err
	}
	if err := checkRestoredDB(ctx, filepath.Join(staging, "data"), m); err != nil {
		return nil, err
	}
	if err := r.loadImages(ctx, staging, m); err != nil {
		return nil, err
	}
	replaced, err := swapIn(r.Data, filepath.Join(staging, "data"), time.Now().UTC().Format("20060102-150405"))
	if err != nil {
		return nil, err
	}
	if err := chownLikeDir(r.Data); err != nil {
		return nil, err
	}
	res := &Result{Manifest: m, Replaced: replaced}
	if old.instance != m.Instance {
		res.OldInstance = old.instance
	}
	return res, nil
}

// loadImages loads the images the backup holds, if any.
func (r *Restore) loadImages(ctx context.Context, staging string, m *Manifest) error {
	if len(m.Images) == 0 {
		return nil
	}
	if r.Images == nil {
		return engine.Errorf(engine.EUNAVAILABLE, "the backup holds images and this restore cannot load them")
	}
	return r.Images.Load(ctx, filepath.Join(staging, filepath.FromSlash(imagesMember)))
}

// lockDataDir takes the daemon's lock on the data dir, so the daemon
// cannot run during the restore. It fails when the daemon runs.
func lockDataDir(data string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(data, "quayside.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, engine.Errorf(engine.EFORBIDDEN, "cannot write the data dir %s (%v): run the restore as its owner or root", data, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, engine.Errorf(engine.ECONFLICT,
			"the Quayside daemon is running with the data dir %s: stop it first (systemctl stop quayside), restore, then start it again", data)
	}
	return func() { f.Close() }, nil
}

// existing is what the data dir held before the restore.
type existing struct {
	apps     []string
	instance string
}

// checkTarget refuses a data dir that already has apps, unless forced.
func (r *Restore) checkTarget(ctx context.Context) (existing, error) {
	old, err := readExisting(ctx, r.Data)
	if r.Force {
		return old, nil
	}
	if err != nil {
		return old, engine.Errorf(engine.ECONFLICT, "the data dir %s holds a database that cannot be read (%s): add --force to replace it", r.Data, engine.ErrorMessage(err))
	}
	if len(old.apps) > 0 {
		return old, engine.Errorf(engine.ECONFLICT,
			"the data dir %s already has %s: a restore replaces everything in it. Restore onto a fresh server, or add --force to replace them (the replaced files are kept in %s)",
			r.Data, CountApps(old.apps), filepath.Join(r.Data, ".replaced-<time>"))
	}
	return old, nil
}

// readExisting reads the apps and the instance of the data dir's database,
// none when there is no database.
func readExisting(ctx context.Context, data string) (existing, error) {
	dbPath, keyPath := filepath.Join(data, "quayside.db"), filepath.Join(data, "secret.key")
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return existing{}, nil
	}
	if _, err := os.Stat(keyPath); err != nil {
		return existing{}, engine.Errorf(engine.EINVALID, "its key file %s is missing", keyPath)
	}
	key, err := store.LoadOrCreateKey(keyPath)
	if err != nil {
		return existing{}, err
	}
	db, err := store.Open(ctx, dbPath, key)
	if err != nil {
		return existing{}, err
	}
	defer db.Close()
	apps, err := db.ListApps(ctx)
	if err != nil {
		return existing{}, err
	}
	var old existing
	for _, a := range apps {
		old.apps = append(old.apps, a.Name)
	}
	old.instance, _, err = db.Setting(ctx, "instance_id")
	return old, err
}

// checkRestoredDB opens the restored database with the restored key: the
// key must fit and the instance be the one the manifest names.
func checkRestoredDB(ctx context.Context, dir string, m *Manifest) error {
	key, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		return corrupt("it holds no config key (secret.key)")
	}
	if _, err := os.Stat(filepath.Join(dir, "quayside.db")); err != nil {
		return corrupt("it holds no database")
	}
	db, err := store.Open(ctx, filepath.Join(dir, "quayside.db"), key)
	if err != nil {
		return corrupt("its database does not open: " + engine.ErrorMessage(err))
	}
	defer db.Close()
	id, _, err := db.Setting(ctx, "instance_id")
	if err != nil {
		return err
	}
	if id != m.Instance {
		return corrupt(fmt.Sprintf("its database is of instance %q, its manifest says %q", id, m.Instance))
	}
	return nil
}

// swapIn moves what the data dir holds aside (into .replaced-<stamp>,
// returned; "" when there was nothing) and moves the restored entries of
// src in. The lock file and restore directories stay.
func swapIn(data, src, stamp string) (string, error) {
	entries, err := os.ReadDir(data)
	if err != nil {
		return "", fmt.Errorf("list data dir: %w", err)
	}
	var aside string
	for _, e := range entries {
		n := e.Name()
		if n == "quayside.lock" || strings.HasPrefix(n, ".restore-") || strings.HasPrefix(n, ".replaced-") {
			continue
		}
		if aside == "" {
			if aside, err = os.MkdirTemp(data, ".replaced-"+stamp+"-"); err != nil {
				return "", fmt.Errorf("move the replaced files aside: %w", err)
			}
		}
		if err := os.Rename(filepath.Join(data, n), filepath.Join(aside, n)); err != nil {
			return "", fmt.Errorf("move %s aside: %w", n, err)
		}
	}
	restored, err := os.ReadDir(src)
	if err != nil {
		return "", fmt.Errorf("list restored files: %w", err)
	}
	for _, e := range restored {
		if err := os.Rename(filepath.Join(src, e.Name()), filepath.Join(data, e.Name())); err != nil {
			return "", fmt.Errorf("move %s into the data dir: %w", e.Name(), err)
		}
	}
	return aside, nil
}

// chownLikeDir gives everything in the data dir to the data dir's owner
// when root restores for a daemon that runs as another user.
func chownLikeDir(data string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Stat(data, &st); err != nil {
		return fmt.Errorf("stat data dir: %w", err)
	}
	if st.Uid == 0 {
		return nil
	}
	return filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".replaced-") {
			return filepath.SkipDir
		}
		return os.Lchown(p, int(st.Uid), int(st.Gid))
	})
}
