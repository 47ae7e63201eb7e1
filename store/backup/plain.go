package backup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/quayside/quayside/engine"
)

// Plain returns the archive stream of in: in itself when the backup is
// not encrypted, else its decryption with the identities ids returns (only
// called for an encrypted backup). A wrong passphrase or identity is
// EUNAUTHORIZED, naming keyKind ("passphrase", "identity FILE"), before
// anything is read.
func Plain(in io.Reader, ids func() ([]age.Identity, error), keyKind string) (io.Reader, error) {
	br := bufio.NewReaderSize(in, 1<<16)
	if !IsEncrypted(br) {
		return br, nil
	}
	list, err := ids()
	if err != nil {
		return nil, err
	}
	r, err := Decrypt(br, list...)
	if errors.Is(err, ErrWrongKey) {
		return nil, engine.Errorf(engine.EUNAUTHORIZED, "the backup is encrypted and the %s does not open it: nothing was restored", keyKind)
	}
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "the backup is encrypted and cannot be read (%v): nothing was restored", err)
	}
	return r, nil
}

// ReadPassphrase reads a passphrase from the first line of r (read up to
// 4 KiB), the file called name; an empty first line is EINVALID.
func ReadPassphrase(r io.Reader, name string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	pass := strings.TrimRight(line, "\r\n")
	if pass == "" {
		return "", engine.Errorf(engine.EINVALID, "--passphrase-file %s holds no passphrase on its first line", name)
	}
	return pass, nil
}
