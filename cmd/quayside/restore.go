package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/store/backup"
)

// restoreCmd brings a backup back into the data dir (store/backup.Restore
// says what it checks and refuses). It runs in the CLI with the daemon
// stopped. When the daemon next starts, it rebuilds from the repositories
// the image of every current release the backup did not hold.
type restoreCmd struct {
	File  string `arg:"" placeholder:"FILE" help:"The backup to restore (made by quayside backup); - reads standard input."`
	Force bool   `help:"Restore even though the data dir already has apps; they are replaced (the replaced files are kept in the data dir, in .replaced-<time>)."`

	Identity       string `type:"path" placeholder:"FILE" help:"Decrypt with the age identity in FILE (for a backup made with --recipient)."`
	PassphraseFile string `placeholder:"FILE" help:"Read the passphrase of an encrypted backup from the first line of FILE (- for standard input); else QUAYSIDE_BACKUP_PASSPHRASE, else asked on the terminal."`
	MaxSize        string `default:"100GiB" help:"Refuse a backup that expands to more than this (all members together, and any one member)."`
	MaxMembers     int    `default:"2000000" help:"Refuse a backup with more members (files and directories) than this."`
}

// limits reads --max-size and --max-members.
func (c *restoreCmd) limits() (backup.Limits, error) {
	n, err := parseSize("max-size", c.MaxSize, false)
	if err != nil {
		return backup.Limits{}, err
	}
	if c.MaxMembers <= 0 {
		return backup.Limits{}, fieldErr("max-members", "--max-members must be at least 1")
	}
	return backup.Limits{MaxTotal: n, MaxMember: n, MaxMembers: c.MaxMembers}, nil
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
	r := &backup.Restore{Data: data, Force: c.Force, Limits: limits, Version: version, Images: docker.ImageArchive{}}
	res, err := r.Run(g.ctx, plain)
	if err != nil {
		return err
	}
	printRestored(res, data)
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

// printRestored tells the user what was restored and what happens next.
func printRestored(res *backup.Result, data string) {
	m := res.Manifest
	images := "no images: when it starts, Quayside rebuilds each app's current release from its repository"
	if len(m.Images) > 0 {
		images = fmt.Sprintf("%d images loaded into Docker", len(m.Images))
	}
	fmt.Printf("Restored the backup made %s by Quayside %s (instance %s) into %s: %s; %s.\n",
		m.Created.Format("2006-01-02 15:04 MST"), m.QuaysideVersion, m.Instance, data, backup.CountApps(m.Apps), images)
	if res.Replaced != "" {
		fmt.Printf("What the data dir held before is in %s: delete it once all is well.\n", res.Replaced)
	}
	if res.OldInstance != "" {
		fmt.Printf("The containers of the replaced server (instance %s) still run: remove them with\n  docker rm -f $(docker ps -aq --filter label=io.quayside.instance=%s)\n", res.OldInstance, res.OldInstance)
	}
	fmt.Println("Start Quayside now: systemctl start quayside (or quayside server).")
}
