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

	"filippo.io/age"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

// Images saves and loads the release images a backup may hold; Docker's
// adapter (engine/docker) implements it, wired in cmd.
type Images interface {
	// Save writes the images among refs that exist and that instance made
	// to dst (a docker save archive) and returns the refs saved, sorted;
	// none, and no file, when there are none.
	Save(ctx context.Context, instance string, refs []string, dst string) ([]string, error)
	// Load loads the images of a docker save archive.
	Load(ctx context.Context, src string) error
}

// Backup makes one backup of a data dir. It reads the data dir directly,
// whether the daemon runs or not: the database is copied in one SQLite
// read transaction (VACUUM INTO), which the daemon's writes never block
// or tear.
type Backup struct {
	Data    string // the data dir, an absolute path
	Version string // the running Quayside's, written in the header
	// Images, when not nil, saves the images of the releases with the
	// backup; nil backs up no images.
	Images     Images
	Recipients []age.Recipient // encrypt for these; none: a plain archive
	// Stdout receives the archive when the file is "-".
	Stdout io.Writer
	tmp    string
}

// Create writes the backup to file ("-" for b.Stdout): into a temporary
// file beside it (mode 0600), renamed into place once complete, so a
// failed backup never leaves a file that looks whole. It returns the
// backup's header and its size in bytes.
func (b *Backup) Create(ctx context.Context, file string) (*Header, int64, error) {
	if err := b.checkDataDir(); err != nil {
		return nil, 0, err
	}
	tmpParent := filepath.Dir(file)
	if file == "-" {
		tmpParent = filepath.Join(b.Data, "tmp")
		if err := os.MkdirAll(tmpParent, 0o700); err != nil {
			return nil, 0, fmt.Errorf("create temporary directory: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(tmpParent, ".quayside-backup-*")
	if err != nil {
		return nil, 0, engine.Errorf(engine.EINVALID, "cannot write beside %s: %v", file, err)
	}
	defer os.RemoveAll(tmp)
	b.tmp = tmp
	h, err := b.prepare(ctx)
	if err != nil {
		return nil, 0, err
	}
	if file == "-" {
		cw := &countingWriter{w: b.Stdout}
		err := b.write(cw, h)
		return h, cw.n, err
	}
	size, err := b.writeFile(file, h)
	return h, size, err
}

// checkDataDir makes sure the data dir is there and readable.
func (b *Backup) checkDataDir() error {
	_, err := os.Stat(filepath.Join(b.Data, "quayside.db"))
	switch {
	case errors.Is(err, fs.ErrPermission):
		return engine.Errorf(engine.EFORBIDDEN, "cannot read the data dir %s: run the backup as its owner or root (sudo quayside backup FILE)", b.Data)
	case errors.Is(err, fs.ErrNotExist):
		return engine.Errorf(engine.ENOTFOUND, "%s holds no Quayside database: point --data (or QUAYSIDE_DATA) at the server's data dir", b.Data)
	}
	return err
}

// writeFile writes the archive to a temporary file and renames it to file.
func (b *Backup) writeFile(file string, h *Header) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".partial-*")
	if err != nil {
		return 0, engine.Errorf(engine.EINVALID, "cannot write %s: %v", file, err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return 0, fmt.Errorf("restrict backup file: %w", err)
	}
	cw := &countingWriter{w: f}
	if err := b.write(cw, h); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", file, err)
	}
	if err := os.Rename(f.Name(), file); err != nil {
		return 0, fmt.Errorf("write %s: %w", file, err)
	}
	return cw.n, nil
}

// prepare copies the database, reads what the header needs from the copy,
// and saves the images when asked.
func (b *Backup) prepare(ctx context.Context) (*Header, error) {
	snap := filepath.Join(b.tmp, "snapshot.db")
	if err := store.BackupFile(ctx, filepath.Join(b.Data, "quayside.db"), snap); err != nil {
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(b.Data, "secret.key"))
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot read the config key %s: %v", filepath.Join(b.Data, "secret.key"), err)
	}
	db, err := store.Open(ctx, snap, key)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	h, images, err := describeBackup(ctx, db, b.Version)
	if err != nil {
		return nil, err
	}
	if err := db.BackupTo(ctx, filepath.Join(b.tmp, "quayside.db")); err != nil {
		return nil, err
	}
	if b.Images != nil {
		if h.Images, err = b.Images.Save(ctx, h.Instance, images, filepath.Join(b.tmp, "images.tar")); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// describeBackup reads the header's facts from the database copy, and the
// images its releases name.
func describeBackup(ctx context.Context, db *store.DB, version string) (*Header, []string, error) {
	id, ok, err := db.Setting(ctx, "instance_id")
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, engine.Errorf(engine.EINVALID, "the database has no instance id: start the server once before backing it up")
	}
	apps, err := db.ListApps(ctx)
	if err != nil {
		return nil, nil, err
	}
	h := &Header{Format: FormatVersion, QuaysideVersion: version, Schema: store.SchemaVersion(),
		Instance: id, Created: time.Now().UTC().Truncate(time.Second), Apps: []string{}}
	var images []string
	for _, a := range apps {
		h.Apps = append(h.Apps, a.Name)
		rels, err := db.ListReleases(ctx, a.Name, 0)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rels {
			images = append(images, r.Image)
		}
	}
	return h, images, nil
}

// write writes the archive to w, encrypted when there are recipients.
func (b *Backup) write(w io.Writer, h *Header) error {
	if len(b.Recipients) == 0 {
		return b.writeArchive(w, h)
	}
	ew, err := Encrypt(w, b.Recipients...)
	if err != nil {
		return err
	}
	if err := b.writeArchive(ew, h); err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("encrypt backup: %w", err)
	}
	return nil
}

// writeArchive writes the archive: header, database, keys, certificates,
// repositories, images, manifest.
func (b *Backup) writeArchive(w io.Writer, h *Header) error {
	a := newArchiveWriter(w)
	if err := a.writeHeader(h); err != nil {
		return err
	}
	if err := a.addFile(dataPrefix+"quayside.db", filepath.Join(b.tmp, "quayside.db")); err != nil {
		return err
	}
	for _, name := range backedUp[1:] {
		if err := b.addEntry(a, name); err != nil {
			return err
		}
	}
	if len(h.Images) > 0 {
		if err := a.addFile(imagesMember, filepath.Join(b.tmp, "images.tar")); err != nil {
			return err
		}
	}
	return a.close(h)
}

// addEntry adds one entry of the data dir, if it exists.
func (b *Backup) addEntry(a *archiveWriter, name string) error {
	src := filepath.Join(b.Data, name)
	fi, err := os.Stat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	switch {
	case name == "repos" && fi.IsDir():
		return b.addRepositories(a, src)
	case name == addonsDir && fi.IsDir():
		return a.addTree(dataPrefix+name, src, newestDumps(src))
	case fi.IsDir():
		return a.addTree(dataPrefix+name, src, nil)
	case fi.Mode().IsRegular():
		if err := a.addFile(dataPrefix+name, src); !errors.Is(err, errVanished) {
			return err
		}
	}
	return nil
}

// addRepositories adds every bare repository <app>.git under dir.
func (b *Backup) addRepositories(a *archiveWriter, dir string) error {
	if err := a.addDir(dataPrefix+"repos", 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list repositories: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), ".git") || strings.HasPrefix(e.Name(), ".") {
			continue // temporary directories of repositories being created
		}
		if err := a.addRepository(dataPrefix+"repos/"+e.Name(), filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// countingWriter counts what passes through.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// CountApps says how many apps there are, and names them.
func CountApps(apps []string) string {
	if len(apps) == 0 {
		return "no apps"
	}
	noun := "apps"
	if len(apps) == 1 {
		noun = "app"
	}
	return fmt.Sprintf("%d %s (%s)", len(apps), noun, strings.Join(apps, ", "))
}
