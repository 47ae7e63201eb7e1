package main

import (
	"fmt"
	"io"
	"os"

	"filippo.io/age"
	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store/backup"
)

// passphraseEnv holds a backup passphrase for scripts that cannot use
// --passphrase-file.
const passphraseEnv = "QUAYSIDE_BACKUP_PASSPHRASE"

// backupRecipients is whom `backup` encrypts for: the --recipient keys,
// else a passphrase when --encrypt is given; none means no encryption.
func (c *backupCmd) backupRecipients() ([]age.Recipient, error) {
	if len(c.Recipient) > 0 {
		rs, err := backup.ParseRecipients(c.Recipient)
		if err != nil {
			return nil, engine.Errorf(engine.EINVALID, "--recipient: %v", err)
		}
		return rs, nil
	}
	if !c.Encrypt && c.PassphraseFile == "" {
		return nil, nil
	}
	pass, err := readPassphrase(c.PassphraseFile, true)
	if err != nil {
		return nil, err
	}
	r, err := backup.PassphraseRecipient(pass)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%v", err)
	}
	return []age.Recipient{r}, nil
}

// decrypting returns the archive stream of in, decrypted with --identity
// or the passphrase when the backup is encrypted (backup.Plain).
func (c *restoreCmd) decrypting(in io.Reader) (io.Reader, error) {
	return backup.Plain(in, c.identities, c.keyKind())
}

func (c *restoreCmd) keyKind() string {
	if c.Identity != "" {
		return "identity " + c.Identity
	}
	return "passphrase"
}

// identities reads --identity, else the passphrase.
func (c *restoreCmd) identities() ([]age.Identity, error) {
	if c.Identity != "" {
		f, err := os.Open(c.Identity)
		if err != nil {
			return nil, engine.Errorf(engine.EINVALID, "cannot read --identity %s: %v", c.Identity, err)
		}
		defer f.Close()
		ids, err := backup.ReadIdentities(f)
		if err != nil {
			return nil, engine.Errorf(engine.EINVALID, "--identity %s: %v", c.Identity, err)
		}
		return ids, nil
	}
	if c.File == "-" && c.PassphraseFile == "-" {
		return nil, engine.Errorf(engine.EINVALID, "the backup and the passphrase cannot both come from standard input: use --passphrase-file FILE")
	}
	pass, err := readPassphrase(c.PassphraseFile, false)
	if err != nil {
		return nil, err
	}
	id, err := backup.PassphraseIdentity(pass)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%v", err)
	}
	return []age.Identity{id}, nil
}

// readPassphrase reads the passphrase from the first line of file ("-":
// standard input), else $QUAYSIDE_BACKUP_PASSPHRASE, else asks on the
// terminal (twice when confirm).
func readPassphrase(file string, confirm bool) (string, error) {
	if file != "" {
		return passphraseFromFile(file)
	}
	if p := os.Getenv(passphraseEnv); p != "" {
		return p, nil
	}
	return askPassphrase(confirm)
}

func passphraseFromFile(file string) (string, error) {
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", engine.Errorf(engine.EINVALID, "cannot read --passphrase-file %s: %v", file, err)
		}
		defer f.Close()
		r = f
	}
	return backup.ReadPassphrase(r, file)
}

// askPassphrase asks on the terminal (/dev/tty, so standard input may
// carry the backup).
func askPassphrase(confirm bool) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		if tty != nil {
			tty.Close()
		}
		return "", engine.Errorf(engine.EINVALID, "no passphrase: give it with --passphrase-file FILE or %s (no terminal to ask on)", passphraseEnv)
	}
	defer tty.Close()
	pass, err := prompt(tty, "Backup passphrase: ")
	if err != nil || !confirm {
		return pass, err
	}
	again, err := prompt(tty, "The same again: ")
	if err != nil {
		return "", err
	}
	if again != pass {
		return "", engine.Errorf(engine.EINVALID, "the two passphrases differ: nothing was written")
	}
	return pass, nil
}

func prompt(tty *os.File, q string) (string, error) {
	fmt.Fprint(tty, q)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	return string(b), nil
}
