package backup

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encryptFile encrypts data into a file under t.TempDir() for rs.
func encryptFile(t *testing.T, data []byte, rs ...age.Recipient) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "backup.tar.gz.age")
	f, err := os.Create(p)
	require.NoError(t, err)
	w, err := Encrypt(f, rs...)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return p
}

func openDecrypted(t *testing.T, p string, ids ...age.Identity) ([]byte, error) {
	t.Helper()
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	br := bufio.NewReader(f)
	require.True(t, IsEncrypted(br))
	r, err := Decrypt(br, ids...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// TestMain lowers scrypt's work factor: the tests check the format, not
// the cost.
func TestMain(m *testing.M) {
	ScryptWorkFactor = 10
	os.Exit(m.Run())
}

func TestPassphraseRoundTrip(t *testing.T) {
	data := []byte("secret.key and the database")
	rcp, err := PassphraseRecipient("correct horse battery")
	require.NoError(t, err)
	p := encryptFile(t, data, rcp)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "secret.key", "the archive is not readable without the passphrase")

	id, err := PassphraseIdentity("correct horse battery")
	require.NoError(t, err)
	got, err := openDecrypted(t, p, id)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	wrong, err := PassphraseIdentity("wrong horse battery!!")
	require.NoError(t, err)
	_, err = openDecrypted(t, p, wrong)
	assert.ErrorIs(t, err, ErrWrongKey)
}

func TestRecipientRoundTrip(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	rs, err := ParseRecipients([]string{id.Recipient().String()})
	require.NoError(t, err)
	p := encryptFile(t, []byte("archive"), rs...)

	ids, err := ReadIdentities(strings.NewReader("# key\n" + id.String() + "\n"))
	require.NoError(t, err)
	got, err := openDecrypted(t, p, ids...)
	require.NoError(t, err)
	assert.Equal(t, "archive", string(got))

	_, err = openDecrypted(t, p, other)
	assert.ErrorIs(t, err, ErrWrongKey, "another identity")

	_, err = ParseRecipients([]string{"age1notakey"})
	assert.Error(t, err)
}

func TestPassphraseTooShort(t *testing.T) {
	_, err := PassphraseRecipient("short")
	assert.ErrorContains(t, err, "use at least 12")
}

func TestTamperedCiphertextFails(t *testing.T) {
	rcp, err := PassphraseRecipient("correct horse battery")
	require.NoError(t, err)
	p := encryptFile(t, bytes.Repeat([]byte("x"), 100_000), rcp)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	raw[len(raw)-100] ^= 1
	require.NoError(t, os.WriteFile(p, raw, 0o600))
	id, err := PassphraseIdentity("correct horse battery")
	require.NoError(t, err)
	_, err = openDecrypted(t, p, id)
	assert.Error(t, err, "a changed byte is detected")
}

func TestIsEncrypted(t *testing.T) {
	assert.False(t, IsEncrypted(bufio.NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 8, 0}))), "gzip")
	assert.False(t, IsEncrypted(bufio.NewReader(bytes.NewReader(nil))), "empty")
	assert.True(t, IsEncrypted(bufio.NewReader(strings.NewReader(ageMagic+"-> X25519 ..."))))
}
