package main

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
	storebackup "github.com/quayside/quayside/store/backup"
)

// restoreCmd brings a backup back into the data dir. It runs in the CLI
// with the daemon stopped (it takes the daemon's lock on the data dir, so
// neither can start while the other runs). The backup is read and checked
// in full (format, checksums, database) before anything in the data dir
// changes; images saved in it are loaded into Docker. When the daemon next
// starts, it rebuilds from the repositories the image of every current
// release the backup did not hold.
type restoreCmd struct {
	File  string `arg:"" placeholder:"FILE" help:"The backup to restore (made by quayside backup); - reads standard input."`
	Force bool   `help:"Restore even though the data dir already has apps; they are replaced (the replaced files are kept in the data dir, in .replaced-<time>)."`

	Identity       string `type:"path" placeholder:"FILE" help:"Decrypt with the age identity in FILE (for a backup made with --recipient)."`
	PassphraseFile string `placeholder:"FILE" help:"Read the passphrase of an encrypted backup from the first line of FILE (- for standard input); else QUAYSIDE_BACKUP_PASSPHRASE, else asked on the terminal."`
	MaxSize        string `default:"100GiB" help:"Refuse a backup that expands to more than this (all members together, and any one member)."`
	MaxMembers     int    `default:"2000000" help:"Refuse a backup with more members (files and directories) than this."`
}

// limits reads --max-size and --max-members.
func (c *restoreCmd) limits() (storebackup.Limits, error) {
	n, err := parseSize("max-size", c.MaxSize, false)
	if err != nil {
		return storebackup.Limits{}, err
	}
	if c.MaxMembers <= 0 {
		return storebackup.Limits{}, fieldErr("max-members", "--max-members must be at least 1")
	}
	return storebackup.Limits{MaxTotal: n, MaxMember: n, MaxMembers: c.MaxMembers}, nil
}

func (c *restoreCmd) Run(g *globals) error {
	if g.remote != "" {
		return engine.Errorf(engine.EINVALID, "restore writes the data dir: run it on the server itself, without --server")
	}
	data, err := filepath.Abs(g.data)
	if err != nil {
		return fmt.Errorf("resolve data dir: %w", err)
	}
	limits, err := c.limits()
	if err != nil {
		return err
	}
	in, err := openBackup(c.File)
	if err != nil {
		return err
	}
	defer in.Close()
	plain, err := c.decrypting(in)
	if err != nil {
		return err
	}
	r := &restore{data: data, force: c.Force, limits: limits}
	res, err := r.run(g.ctx, plain)
	if err != nil {
		return err
	}
	res.print(data)
	return nil
}

// openBackup opens the backup file, or standard input for "-".
func openBackup(file string) (io.ReadCloser, error) {
	if file == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot read the backup %s: %v", file, err)
	}
	return f, nil
}

// restore brings one backup into a data dir.
type restore struct {
	data   string
	force  bool
	limits storebackup.Limits
}

// restoreResult is what a restore did.
type restoreResult struct {
	manifest    *backupManifest
	replaced    string
	oldInstance string
}

func (r *restore) run(ctx context.Context, in io.Reader) (*restoreResult, error) {
	if err := os.MkdirAll(r.data, 0o700); err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot create the data dir %s: %v", r.data, err)
	}
	unlock, err := lockDataDir(r.data)
	if err != nil {
		return nil, err
	}
	defer unlock()
	old, err := r.checkTarget(ctx)
	if err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(r.data, ".restore-*")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(staging)
	m, err := readBackup(in, staging, r.limits)
	if err != nil {
		return nil, err
	}
	if err := checkRestoredDB(ctx, filepath.Join(staging, "data"), m); err != nil {
		return nil, err
	}
	if len(m.Images) > 0 {
		if err := loadImages(ctx, filepath.Join(staging, filepath.FromSlash(imagesMember))); err != nil {
			return nil, err
		}
	}
	replaced, err := swapIn(r.data, filepath.Join(staging, "data"), time.Now().UTC().Format("20060102-150405"))
	if err != nil {
		return nil, err
	}
	if err := chownLikeDir(r.data); err != nil {
		return nil, err
	}
	res := &restoreResult{manifest: m, replaced: replaced}
	if old.instance != m.Instance {
		res.oldInstance = old.instance
	}
	return res, nil
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
func (r *restore) checkTarget(ctx context.Context) (existing, error) {
	old, err := readExisting(ctx, r.data)
	if r.force {
		return old, nil
	}
	if err != nil {
		return old, engine.Errorf(engine.ECONFLICT, "the data dir %s holds a database that cannot be read (%s): add --force to replace it", r.data, engine.ErrorMessage(err))
	}
	if len(old.apps) > 0 {
		return old, engine.Errorf(engine.ECONFLICT,
			"the data dir %s already has %s: a restore replaces everything in it. Restore onto a fresh server, or add --force to replace them (the replaced files are kept in %s)",
			r.data, countApps(old.apps), filepath.Join(r.data, ".replaced-<time>"))
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
func checkRestoredDB(ctx context.Context, dir string, m *backupManifest) error {
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

// print tells the user what was restored and what happens next.
func (res *restoreResult) print(data string) {
	m := res.manifest
	images := "no images: when it starts, Quayside rebuilds each app's current release from its repository"
	if len(m.Images) > 0 {
		images = fmt.Sprintf("%d images loaded into Docker", len(m.Images))
	}
	fmt.Printf("Restored the backup made %s by Quayside %s (instance %s) into %s: %s; %s.\n",
		m.Created.Format("2006-01-02 15:04 MST"), m.QuaysideVersion, m.Instance, data, countApps(m.Apps), images)
	if res.replaced != "" {
		fmt.Printf("What the data dir held before is in %s: delete it once all is well.\n", res.replaced)
	}
	if res.oldInstance != "" {
		fmt.Printf("The containers of the replaced server (instance %s) still run: remove them with\n  docker rm -f $(docker ps -aq --filter label=io.quayside.instance=%s)\n", res.oldInstance, res.oldInstance)
	}
	fmt.Println("Start Quayside now: systemctl start quayside (or quayside server).")
}
