package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store/backup"
)

const plainArchive = "the archive, in the clear"

// encryptFor encrypts plainArchive for rs.
func encryptFor(t *testing.T, rs []age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := backup.Encrypt(&buf, rs...)
	require.NoError(t, err)
	_, err = io.WriteString(w, plainArchive)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// opened reads what decrypting returns.
func opened(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func TestBackupRecipientFlags(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600))

	rs, err := (&backupCmd{Recipient: []string{id.Recipient().String()}}).backupRecipients()
	require.NoError(t, err)
	archive := encryptFor(t, rs)
	plain, err := (&restoreCmd{File: "backup", Identity: keyFile}).decrypting(bytes.NewReader(archive))
	require.NoError(t, err)
	assert.Equal(t, plainArchive, opened(t, plain))

	_, err = (&backupCmd{Recipient: []string{"age1nothing"}}).backupRecipients()
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	rs, err = (&backupCmd{}).backupRecipients()
	require.NoError(t, err)
	assert.Empty(t, rs, "no encryption unless asked for")
}

// TestBackupPassphrase checks that the flags reach backup.Keys (its tests
// cover the passphrase sources) and that a wrong passphrase exits 5.
func TestBackupPassphrase(t *testing.T) {
	defer func(f int) { backup.ScryptWorkFactor = f }(backup.ScryptWorkFactor)
	backup.ScryptWorkFactor = 10 // the format is tested, not the cost
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("a long enough passphrase\n"), 0o600))
	wrongFile := filepath.Join(dir, "wrong")
	require.NoError(t, os.WriteFile(wrongFile, []byte("not the passphrase at all\n"), 0o600))

	rs, err := (&backupCmd{Encrypt: true, PassphraseFile: passFile}).backupRecipients()
	require.NoError(t, err)
	archive := encryptFor(t, rs)

	t.Run("the right passphrase opens it", func(t *testing.T) {
		plain, err := (&restoreCmd{File: "b", PassphraseFile: passFile}).decrypting(bytes.NewReader(archive))
		require.NoError(t, err)
		assert.Equal(t, plainArchive, opened(t, plain))
	})
	t.Run("a wrong passphrase is refused", func(t *testing.T) {
		_, err := (&restoreCmd{File: "b", PassphraseFile: wrongFile}).decrypting(bytes.NewReader(archive))
		require.Error(t, err)
		assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
		assert.Equal(t, 5, exitCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "the passphrase does not open it: nothing was restored")
	})
	t.Run("backup and passphrase both on standard input are refused", func(t *testing.T) {
		_, err := (&restoreCmd{File: "-", PassphraseFile: "-"}).decrypting(bytes.NewReader(archive))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
}

func TestRestoreLimitsFlags(t *testing.T) {
	l, err := (&restoreCmd{MaxSize: "2GiB", MaxMembers: 10}).limits()
	require.NoError(t, err)
	assert.Equal(t, backup.Limits{MaxTotal: 2 << 30, MaxMember: 2 << 30, MaxMembers: 10}, l)
	_, err = (&restoreCmd{MaxSize: "lots", MaxMembers: 10}).limits()
	assert.Error(t, err)
	_, err = (&restoreCmd{MaxSize: "1GiB", MaxMembers: 0}).limits()
	assert.Error(t, err)
}
