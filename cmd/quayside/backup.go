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

	"filippo.io/age"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
	storebackup "github.com/quayside/quayside/store/backup"
)

// backupCmd writes one archive with everything needed to bring the
// server's apps back: a consistent copy of the database, the keys, the
// certificates and the git repositories, and with --with-images the
// release images.
//
// It runs in the CLI, on the server, as the data dir's owner (or root),
// reading the data dir directly, whether the daemon runs or not: the
// database is copied in one SQLite read transaction (VACUUM INTO), which
// the daemon's writes never block or tear. It is not an API call on
// purpose: the archive holds the config encryption key and the SSH host
// key, which never leave the server through the API, and a backup of
// gigabytes of images should not stream through the daemon.
type backupCmd struct {
	File       string `arg:"" placeholder:"FILE" help:"Where to write the backup (a .tar.gz file, mode 0600); - writes it to standard output."`
	WithImages bool   `help:"Also save the images of the releases that still have them: a bigger file, and a restore that rebuilds nothing."`

	Encrypt        bool     `help:"Encrypt the backup (age, with a passphrase from --passphrase-file, else QUAYSIDE_BACKUP_PASSPHRASE, else asked on the terminal). It holds the key to every config value: encrypt any copy that leaves the server."`
	Recipient      []string `placeholder:"AGE1..." help:"Encrypt for this age public key instead of a passphrase (repeatable); restore with --identity."`
	PassphraseFile string   `placeholder:"FILE" help:"Read the passphrase from the first line of FILE (- for standard input); implies --encrypt."`
}

func (c *backupCmd) Run(g *globals) error {
	if g.remote != "" {
		return engine.Errorf(engine.EINVALID, "backup reads the data dir: run it on the server itself, without --server")
	}
	data, err := filepath.Abs(g.data)
	if err != nil {
		return fmt.Errorf("resolve data dir: %w", err)
	}
	rs, err := c.backupRecipients()
	if err != nil {
		return err
	}
	b := &backup{data: data, withImages: c.WithImages, recipients: rs}
	h, size, err := b.writeTo(g.ctx, c.File)
	if err != nil {
		return err
	}
	msg := os.Stdout
	if c.File == "-" {
		msg = os.Stderr
	}
	fmt.Fprintf(msg, "Backed up %s of instance %s (%s) to %s: %s%s%s.\n", countApps(h.Apps), h.Instance, h.QuaysideVersion,
		c.File, engine.FormatBytes(size), imagesNote(h), encryptedNote(rs))
	return nil
}

func countApps(apps []string) string {
	if len(apps) == 0 {
		return "no apps"
	}
	noun := "apps"
	if len(apps) == 1 {
		noun = "app"
	}
	return fmt.Sprintf("%d %s (%s)", len(apps), noun, strings.Join(apps, ", "))
}

func encryptedNote(rs []age.Recipient) string {
	if len(rs) == 0 {
		return "; not encrypted: it holds the config key, keep it as safe as the server (or use --encrypt)"
	}
	return "; encrypted"
}

func imagesNote(h *backupHeader) string {
	if len(h.Images) == 0 {
		return ", no images (a restore rebuilds them from the repositories)"
	}
	return fmt.Sprintf(", with %d images", len(h.Images))
}

// backup makes one backup of a data dir.
type backup struct {
	data       string
	withImages bool
	recipients []age.Recipient // encrypt for these; none: a plain archive
	tmp        string
}

// writeTo writes the backup to file ("-" for standard output): into a
// temporary file beside it, renamed into place once complete, so a
// failed backup never leaves a file that looks whole.
func (b *backup) writeTo(ctx context.Context, file string) (*backupHeader, int64, error) {
	if err := b.checkDataDir(); err != nil {
		return nil, 0, err
	}
	tmpParent := filepath.Dir(file)
	if file == "-" {
		tmpParent = filepath.Join(b.data, "tmp")
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
		cw := &countingWriter{w: os.Stdout}
		err := b.write(cw, h)
		return h, cw.n, err
	}
	size, err := b.writeFile(file, h)
	return h, size, err
}

// checkDataDir makes sure the data dir is there and readable.
func (b *backup) checkDataDir() error {
	_, err := os.Stat(filepath.Join(b.data, "quayside.db"))
	switch {
	case errors.Is(err, fs.ErrPermission):
		return engine.Errorf(engine.EFORBIDDEN, "cannot read the data dir %s: run the backup as its owner or root (sudo quayside backup FILE)", b.data)
	case errors.Is(err, fs.ErrNotExist):
		return engine.Errorf(engine.ENOTFOUND, "%s holds no Quayside database: point --data (or QUAYSIDE_DATA) at the server's data dir", b.data)
	}
	return err
}

// writeFile writes the archive to a temporary file and renames it to file.
func (b *backup) writeFile(file string, h *backupHeader) (int64, error) {
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
func (b *backup) prepare(ctx context.Context) (*backupHeader, error) {
	snap := filepath.Join(b.tmp, "snapshot.db")
	if err := store.BackupFile(ctx, filepath.Join(b.data, "quayside.db"), snap); err != nil {
		return nil, err
	}
	key, err := os.ReadFile(filepath.Join(b.data, "secret.key"))
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot read the config key %s: %v", filepath.Join(b.data, "secret.key"), err)
	}
	db, err := store.Open(ctx, snap, key)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	h, images, err := describeBackup(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := db.BackupTo(ctx, filepath.Join(b.tmp, "quayside.db")); err != nil {
		return nil, err
	}
	if b.withImages {
		if h.Images, err = saveImages(ctx, h.Instance, images, filepath.Join(b.tmp, "images.tar")); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// describeBackup reads the header's facts from the database copy, and the
// images its releases name.
func describeBackup(ctx context.Context, db *store.DB) (*backupHeader, []string, error) {
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
	h := &backupHeader{Format: backupFormat, QuaysideVersion: version, Schema: store.SchemaVersion(),
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
func (b *backup) write(w io.Writer, h *backupHeader) error {
	if len(b.recipients) == 0 {
		return b.writeArchive(w, h)
	}
	ew, err := storebackup.Encrypt(w, b.recipients...)
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
func (b *backup) writeArchive(w io.Writer, h *backupHeader) error {
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
func (b *backup) addEntry(a *archiveWriter, name string) error {
	src := filepath.Join(b.data, name)
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
func (b *backup) addRepositories(a *archiveWriter, dir string) error {
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
