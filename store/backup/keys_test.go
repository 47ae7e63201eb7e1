package backup

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

const plainArchive = "the archive, in the clear"

// encryptFor encrypts plainArchive for rs.
func encryptFor(t *testing.T, rs []age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := Encrypt(&buf, rs...)
	require.NoError(t, err)
	_, err = io.WriteString(w, plainArchive)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// openWith opens archive with k as a restore does and reads it.
func openWith(t *testing.T, k *Keys, archive []byte) (string, error) {
	t.Helper()
	r, err := Plain(bytes.NewReader(archive), k.Identities, k.Kind())
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b), nil
}

// noTerminal is Keys.Ask when there is no one to ask.
func noTerminal(bool) (string, error) {
	return "", engine.Errorf(engine.EINVALID, "no passphrase: give it with --passphrase-file FILE")
}

func TestKeysForRecipients(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600))

	rs, err := (&Keys{Recipients: []string{id.Recipient().String()}}).EncryptFor(false)
	require.NoError(t, err)
	archive := encryptFor(t, rs)
	got, err := openWith(t, &Keys{Identity: keyFile}, archive)
	require.NoError(t, err)
	assert.Equal(t, plainArchive, got)

	_, err = (&Keys{Recipients: []string{"age1nothing"}}).EncryptFor(false)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "--recipient")
	rs, err = (&Keys{}).EncryptFor(false)
	require.NoError(t, err)
	assert.Empty(t, rs, "no encryption unless asked for")

	_, err = openWith(t, &Keys{Identity: filepath.Join(t.TempDir(), "missing")}, archive)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	otherFile := filepath.Join(t.TempDir(), "other.key")
	require.NoError(t, os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600))
	_, err = openWith(t, &Keys{Identity: otherFile}, archive)
	assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "the identity "+otherFile+" does not open it")
}

func TestKeysForPassphrase(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("a long enough passphrase\n"), 0o600))
	wrongFile := filepath.Join(dir, "wrong")
	require.NoError(t, os.WriteFile(wrongFile, []byte("not the passphrase at all\n"), 0o600))

	rs, err := (&Keys{PassphraseFile: passFile}).EncryptFor(false)
	require.NoError(t, err)
	require.Len(t, rs, 1, "a passphrase file implies encryption")
	archive := encryptFor(t, rs)

	t.Run("the right passphrase opens it", func(t *testing.T) {
		got, err := openWith(t, &Keys{PassphraseFile: passFile}, archive)
		require.NoError(t, err)
		assert.Equal(t, plainArchive, got)
	})
	t.Run("from standard input", func(t *testing.T) {
		got, err := openWith(t, &Keys{PassphraseFile: "-", Stdin: strings.NewReader("a long enough passphrase\n")}, archive)
		require.NoError(t, err)
		assert.Equal(t, plainArchive, got)
	})
	t.Run("from the environment too", func(t *testing.T) {
		t.Setenv(PassphraseEnv, "a long enough passphrase")
		got, err := openWith(t, &Keys{Ask: noTerminal}, archive)
		require.NoError(t, err)
		assert.Equal(t, plainArchive, got)
	})
	t.Run("asked for last", func(t *testing.T) {
		t.Setenv(PassphraseEnv, "")
		asked := 0
		ask := func(confirm bool) (string, error) {
			asked++
			assert.False(t, confirm, "a restore asks once")
			return "a long enough passphrase", nil
		}
		got, err := openWith(t, &Keys{Ask: ask}, archive)
		require.NoError(t, err)
		assert.Equal(t, plainArchive, got)
		assert.Equal(t, 1, asked)
	})
	t.Run("a wrong passphrase is refused", func(t *testing.T) {
		_, err := openWith(t, &Keys{PassphraseFile: wrongFile}, archive)
		assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "the passphrase does not open it: nothing was restored")
	})
	t.Run("no passphrase at all is refused", func(t *testing.T) {
		t.Setenv(PassphraseEnv, "")
		_, err := openWith(t, &Keys{}, archive)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "--passphrase-file")
		_, err = openWith(t, &Keys{Ask: noTerminal}, archive)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
	t.Run("an unreadable passphrase file is refused", func(t *testing.T) {
		_, err := openWith(t, &Keys{PassphraseFile: filepath.Join(dir, "missing")}, archive)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "cannot read --passphrase-file")
	})
	t.Run("backup and passphrase both on standard input are refused", func(t *testing.T) {
		_, err := openWith(t, &Keys{PassphraseFile: "-", ArchiveOnStdin: true, Stdin: strings.NewReader("x\n")}, archive)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "cannot both come from standard input")
	})
	t.Run("a short passphrase is refused when backing up", func(t *testing.T) {
		t.Setenv(PassphraseEnv, "short")
		_, err := (&Keys{}).EncryptFor(true)
		assert.Contains(t, engine.ErrorMessage(err), "use at least 12")
	})
	t.Run("backing up asks twice", func(t *testing.T) {
		t.Setenv(PassphraseEnv, "")
		var confirmed bool
		_, err := (&Keys{Ask: func(confirm bool) (string, error) {
			confirmed = confirm
			return "a long enough passphrase", nil
		}}).EncryptFor(true)
		require.NoError(t, err)
		assert.True(t, confirmed)
	})
	t.Run("an unencrypted backup passes through", func(t *testing.T) {
		got, err := openWith(t, &Keys{PassphraseFile: wrongFile}, []byte(plainArchive))
		require.NoError(t, err)
		assert.Equal(t, plainArchive, got)
	})
}
