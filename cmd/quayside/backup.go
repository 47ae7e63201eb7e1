package main

import (
	"fmt"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/store/backup"
)

// backupCmd writes one archive with everything needed to bring the
// server's apps back (store/backup has the format).
//
// It runs in the CLI, on the server, as the data dir's owner (or root),
// reading the data dir directly, whether the daemon runs or not. It is not
// an API call on purpose: the archive holds the config encryption key and
// the SSH host key, which never leave the server through the API, and a
// backup of gigabytes of images should not stream through the daemon.
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
	if c.File == "-" {
		freshAddonBackups(g, os.Stderr)
	} else {
		freshAddonBackups(g, os.Stdout)
	}
	b := &backup.Backup{Data: data, Version: version, Recipients: rs, Stdout: os.Stdout}
	if c.WithImages {
		b.Images = docker.ImageArchive{}
	}
	h, size, err := b.Create(g.ctx, c.File)
	if err != nil {
		return err
	}
	msg := os.Stdout
	if c.File == "-" {
		msg = os.Stderr
	}
	fmt.Fprintf(msg, "Backed up %s of instance %s (%s) to %s: %s%s%s.\n", backup.CountApps(h.Apps), h.Instance, h.QuaysideVersion,
		c.File, engine.FormatBytes(size), imagesNote(h), encryptedNote(rs))
	return nil
}

func encryptedNote(rs []age.Recipient) string {
	if len(rs) == 0 {
		return "; not encrypted: it holds the config key, keep it as safe as the server (or use --encrypt)"
	}
	return "; encrypted"
}

func imagesNote(h *backup.Header) string {
	if len(h.Images) == 0 {
		return ", no images (a restore rebuilds them from the repositories)"
	}
	return fmt.Sprintf(", with %d images", len(h.Images))
}
