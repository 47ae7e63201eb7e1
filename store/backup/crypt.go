package backup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// ageMagic is the first line of every age file.
const ageMagic = "age-encryption.org/v1\n"

// MinPassphrase is the shortest passphrase Encrypt accepts.
const MinPassphrase = 12

// ScryptWorkFactor is the log2 of scrypt's cost for a passphrase: age's
// default, about a second to derive the key. Tests lower it to run fast;
// nothing else should.
var ScryptWorkFactor = 18

// ErrWrongKey is returned by Decrypt when the passphrase or none of the
// identities opens the archive.
var ErrWrongKey = errors.New("wrong passphrase or identity")

// PassphraseRecipient encrypts for a passphrase (age's scrypt recipient).
// It refuses passphrases shorter than MinPassphrase.
func PassphraseRecipient(pass string) (age.Recipient, error) {
	if len(pass) < MinPassphrase {
		return nil, fmt.Errorf("the passphrase has %d characters: use at least %d", len(pass), MinPassphrase)
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return nil, fmt.Errorf("make passphrase recipient: %w", err)
	}
	r.SetWorkFactor(ScryptWorkFactor)
	return r, nil
}

// ParseRecipients reads age public keys (age1...).
func ParseRecipients(keys []string) ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(keys))
	for _, k := range keys {
		r, err := age.ParseX25519Recipient(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("%q is not an age public key (age1...): %w", k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// PassphraseIdentity decrypts what PassphraseRecipient encrypted.
func PassphraseIdentity(pass string) (age.Identity, error) {
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, fmt.Errorf("make passphrase identity: %w", err)
	}
	return id, nil
}

// ReadIdentities reads an age identity file (AGE-SECRET-KEY-1... lines).
func ReadIdentities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("read age identities: %w", err)
	}
	return ids, nil
}

// Encrypt returns a writer that encrypts to w for rs; Close it to finish
// the file (w itself is not closed).
func Encrypt(w io.Writer, rs ...age.Recipient) (io.WriteCloser, error) {
	ew, err := age.Encrypt(w, rs...)
	if err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	return ew, nil
}

// IsEncrypted reports whether the stream behind br starts as an age file;
// it only peeks.
func IsEncrypted(br *bufio.Reader) bool {
	b, _ := br.Peek(len(ageMagic))
	return string(b) == ageMagic
}

// Decrypt opens an encrypted archive with ids. The header is checked
// here: a wrong passphrase or identity returns ErrWrongKey before the
// caller reads anything. The returned reader fails on any tampered or
// truncated chunk.
func Decrypt(r io.Reader, ids ...age.Identity) (io.Reader, error) {
	dr, err := age.Decrypt(r, ids...)
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch), errors.Is(err, age.ErrIncorrectIdentity):
		return nil, ErrWrongKey
	case err != nil:
		return nil, fmt.Errorf("decrypt backup: %w", err)
	}
	return dr, nil
}
