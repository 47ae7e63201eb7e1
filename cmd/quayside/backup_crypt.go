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

// keys are the keys `backup` encrypts for, from its flags.
func (c *backupCmd) keys() *backup.Keys {
	return &backup.Keys{Recipients: c.Recipient, PassphraseFile: c.PassphraseFile, Stdin: os.Stdin, Ask: askPassphrase}
}

// backupRecipients is whom `backup` encrypts for (backup.Keys.EncryptFor).
func (c *backupCmd) backupRecipients() ([]age.Recipient, error) {
	return c.keys().EncryptFor(c.Encrypt)
}

// keys are the keys `restore` opens an encrypted backup with, from its flags.
func (c *restoreCmd) keys() *backup.Keys {
	return &backup.Keys{Identity: c.Identity, PassphraseFile: c.PassphraseFile, Stdin: os.Stdin,
		ArchiveOnStdin: c.File == "-", Ask: askPassphrase}
}

// decrypting returns the archive stream of in, decrypted with --identity
// or the passphrase when the backup is encrypted (backup.Plain).
func (c *restoreCmd) decrypting(in io.Reader) (io.Reader, error) {
	k := c.keys()
	return backup.Plain(in, k.Identities, k.Kind())
}

// askPassphrase asks on the terminal (/dev/tty, so standard input may
// carry the backup), twice when confirm.
func askPassphrase(confirm bool) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		if tty != nil {
			tty.Close()
		}
		return "", engine.Errorf(engine.EINVALID, "no passphrase: give it with --passphrase-file FILE or %s (no terminal to ask on)", backup.PassphraseEnv)
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
