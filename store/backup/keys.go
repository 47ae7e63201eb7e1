package backup

import (
	"io"
	"os"

	"filippo.io/age"

	"github.com/quayside/quayside/engine"
)

// PassphraseEnv holds a backup passphrase for scripts that cannot use a
// passphrase file.
const PassphraseEnv = "QUAYSIDE_BACKUP_PASSPHRASE"

// Keys are the keys a backup is encrypted for or opened with, as the CLI
// names them (its errors name the flags: --recipient, --identity,
// --passphrase-file). The passphrase comes from PassphraseFile, else
// PassphraseEnv, else Ask.
type Keys struct {
	Recipients     []string  // age public keys (age1...) to encrypt for
	Identity       string    // an age identity file to decrypt with
	PassphraseFile string    // its first line is the passphrase; "-" reads Stdin
	Stdin          io.Reader // os.Stdin when nil
	// ArchiveOnStdin says the backup itself is read from Stdin, which then
	// cannot carry the passphrase too.
	ArchiveOnStdin bool
	// Ask asks for the passphrase, twice when confirm; it is the caller's
	// terminal, and fails when there is none.
	Ask func(confirm bool) (string, error)
}

// EncryptFor returns whom a backup is encrypted for: the Recipients, else
// a passphrase when encrypt or PassphraseFile is given; none (nil) means
// no encryption. Bad keys and short passphrases are EINVALID.
func (k *Keys) EncryptFor(encrypt bool) ([]age.Recipient, error) {
	if len(k.Recipients) > 0 {
		rs, err := ParseRecipients(k.Recipients)
		if err != nil {
			return nil, engine.Errorf(engine.EINVALID, "--recipient: %v", err)
		}
		return rs, nil
	}
	if !encrypt && k.PassphraseFile == "" {
		return nil, nil
	}
	pass, err := k.passphrase(true)
	if err != nil {
		return nil, err
	}
	r, err := PassphraseRecipient(pass)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%v", err)
	}
	return []age.Recipient{r}, nil
}

// Identities returns what opens an encrypted backup: the Identity file,
// else the passphrase. It is meant for Plain, which calls it only for an
// encrypted backup.
func (k *Keys) Identities() ([]age.Identity, error) {
	if k.Identity != "" {
		return k.identityFile()
	}
	if k.ArchiveOnStdin && k.PassphraseFile == "-" {
		return nil, engine.Errorf(engine.EINVALID, "the backup and the passphrase cannot both come from standard input: use --passphrase-file FILE")
	}
	pass, err := k.passphrase(false)
	if err != nil {
		return nil, err
	}
	id, err := PassphraseIdentity(pass)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%v", err)
	}
	return []age.Identity{id}, nil
}

// Kind names the key Identities returns, for Plain's errors.
func (k *Keys) Kind() string {
	if k.Identity != "" {
		return "identity " + k.Identity
	}
	return "passphrase"
}

func (k *Keys) identityFile() ([]age.Identity, error) {
	f, err := os.Open(k.Identity)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "cannot read --identity %s: %v", k.Identity, err)
	}
	defer f.Close()
	ids, err := ReadIdentities(f)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "--identity %s: %v", k.Identity, err)
	}
	return ids, nil
}

// passphrase reads the first line of PassphraseFile, else PassphraseEnv,
// else asks.
func (k *Keys) passphrase(confirm bool) (string, error) {
	switch {
	case k.PassphraseFile == "-":
		in := k.Stdin
		if in == nil {
			in = os.Stdin
		}
		return ReadPassphrase(in, k.PassphraseFile)
	case k.PassphraseFile != "":
		f, err := os.Open(k.PassphraseFile)
		if err != nil {
			return "", engine.Errorf(engine.EINVALID, "cannot read --passphrase-file %s: %v", k.PassphraseFile, err)
		}
		defer f.Close()
		return ReadPassphrase(f, k.PassphraseFile)
	}
	if p := os.Getenv(PassphraseEnv); p != "" {
		return p, nil
	}
	if k.Ask == nil {
		return "", engine.Errorf(engine.EINVALID, "no passphrase: give it with --passphrase-file FILE or %s", PassphraseEnv)
	}
	return k.Ask(confirm)
}
