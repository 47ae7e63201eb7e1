package main

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	storebackup "github.com/quayside/quayside/store/backup"
)

// writeBackup runs backup.write on the fake data dir (its database copy
// already in place, as prepare leaves it) for rs.
func writeBackup(t *testing.T, data string, rs []age.Recipient) []byte {
	t.Helper()
	tmp := t.TempDir()
	db, err := os.ReadFile(filepath.Join(data, "quayside.db"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "quayside.db"), db, 0o600))
	var buf bytes.Buffer
	b := &backup{data: data, tmp: tmp, recipients: rs}
	require.NoError(t, b.write(&buf, testHeader()))
	return buf.Bytes()
}

func TestBackupEncryptedRoundTrip(t *testing.T) {
	data := fakeDataDir(t)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600))

	c := &backupCmd{Recipient: []string{id.Recipient().String()}}
	rs, err := c.backupRecipients()
	require.NoError(t, err)
	archive := writeBackup(t, data, rs)
	assert.NotContains(t, string(archive), "0123456789abcdef", "the config key is not in the clear")
	assert.True(t, bytes.HasPrefix(archive, []byte("age-encryption.org/v1\n")))

	r := &restoreCmd{File: "backup", Identity: keyFile}
	plain, err := r.decrypting(bytes.NewReader(archive))
	require.NoError(t, err)
	out := t.TempDir()
	m, err := readBackup(plain, out, storebackup.DefaultLimits)
	require.NoError(t, err)
	assert.Equal(t, "abcd1234", m.Instance)
	got, err := os.ReadFile(filepath.Join(out, "data/secret.key"))
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", string(got))
}

func TestBackupPassphrase(t *testing.T) {
	defer func(f int) { storebackup.ScryptWorkFactor = f }(storebackup.ScryptWorkFactor)
	storebackup.ScryptWorkFactor = 10 // the format is tested, not the cost
	data := fakeDataDir(t)
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("a long enough passphrase\n"), 0o600))
	wrongFile := filepath.Join(dir, "wrong")
	require.NoError(t, os.WriteFile(wrongFile, []byte("not the passphrase at all\n"), 0o600))

	rs, err := (&backupCmd{Encrypt: true, PassphraseFile: passFile}).backupRecipients()
	require.NoError(t, err)
	archive := writeBackup(t, data, rs)

	t.Run("the right passphrase restores", func(t *testing.T) {
		plain, err := (&restoreCmd{File: "b", PassphraseFile: passFile}).decrypting(bytes.NewReader(archive))
		require.NoError(t, err)
		_, err = readBackup(plain, t.TempDir(), storebackup.DefaultLimits)
		require.NoError(t, err)
	})
	t.Run("from the environment too", func(t *testing.T) {
		t.Setenv(passphraseEnv, "a long enough passphrase")
		plain, err := (&restoreCmd{File: "b"}).decrypting(bytes.NewReader(archive))
		require.NoError(t, err)
		_, err = readBackup(plain, t.TempDir(), storebackup.DefaultLimits)
		require.NoError(t, err)
	})
	t.Run("a wrong passphrase is refused", func(t *testing.T) {
		_, err := (&restoreCmd{File: "b", PassphraseFile: wrongFile}).decrypting(bytes.NewReader(archive))
		require.Error(t, err)
		assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
		assert.Equal(t, 5, exitCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "the passphrase does not open it: nothing was restored")
	})
	t.Run("no passphrase at all is refused", func(t *testing.T) {
		t.Setenv(passphraseEnv, "")
		if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
			f.Close()
			t.Skip("a terminal is attached: the passphrase would be asked for")
		}
		_, err := (&restoreCmd{File: "b"}).decrypting(bytes.NewReader(archive))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "--passphrase-file")
	})
	t.Run("a short passphrase is refused when backing up", func(t *testing.T) {
		t.Setenv(passphraseEnv, "short")
		_, err := (&backupCmd{Encrypt: true}).backupRecipients()
		assert.Contains(t, engine.ErrorMessage(err), "use at least 12")
	})
	t.Run("an unencrypted backup still restores", func(t *testing.T) {
		plainArchive := writeBackup(t, data, nil)
		plain, err := (&restoreCmd{File: "b", PassphraseFile: wrongFile}).decrypting(bytes.NewReader(plainArchive))
		require.NoError(t, err)
		_, err = readBackup(plain, t.TempDir(), storebackup.DefaultLimits)
		require.NoError(t, err)
	})
}

// bombArchive is a valid backup start followed by a member that declares
// (and holds) size bytes of zeros: it compresses to almost nothing.
func bombArchive(t *testing.T, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	a := newArchiveWriter(&buf)
	h := testHeader()
	require.NoError(t, a.writeHeader(h))
	require.NoError(t, a.tw.WriteHeader(&tar.Header{Name: dataPrefix + "quayside.db", Mode: 0o600, Size: size, Typeflag: tar.TypeReg}))
	zeros := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(zeros)) {
		_, err := a.tw.Write(zeros[:min(left, int64(len(zeros)))])
		require.NoError(t, err)
	}
	require.NoError(t, a.close(h))
	return buf.Bytes()
}

func TestRestoreRefusesBombs(t *testing.T) {
	bomb := bombArchive(t, 64<<20)
	require.Less(t, len(bomb), 1<<20, "64 MiB of zeros compress to little")
	cases := map[string]storebackup.Limits{
		"one member past the cap": {MaxTotal: 1 << 40, MaxMember: 32 << 20, MaxMembers: 100},
		"the total past the cap":  {MaxTotal: 32 << 20, MaxMember: 1 << 40, MaxMembers: 100},
		"too many members":        {MaxTotal: 1 << 40, MaxMember: 1 << 40, MaxMembers: 1},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			_, err := readBackup(bytes.NewReader(bomb), out, l)
			require.Error(t, err)
			assert.Equal(t, engine.ETOOLARGE, engine.ErrorCode(err), "err: %v", err)
			var size int64
			_ = filepath.Walk(out, func(_ string, fi os.FileInfo, _ error) error {
				if fi != nil && !fi.IsDir() {
					size += fi.Size()
				}
				return nil
			})
			assert.Zero(t, size, "nothing of the bomb was written")
		})
	}
	t.Run("within generous limits it reads", func(t *testing.T) {
		_, err := readBackup(bytes.NewReader(bomb), t.TempDir(), storebackup.DefaultLimits)
		// It is not a whole backup (no manifest entry for the member), but
		// it gets past the limits.
		require.Error(t, err)
		assert.NotEqual(t, engine.ETOOLARGE, engine.ErrorCode(err))
	})
}

func TestRestoreLimitsFlags(t *testing.T) {
	l, err := (&restoreCmd{MaxSize: "2GiB", MaxMembers: 10}).limits()
	require.NoError(t, err)
	assert.Equal(t, storebackup.Limits{MaxTotal: 2 << 30, MaxMember: 2 << 30, MaxMembers: 10}, l)
	_, err = (&restoreCmd{MaxSize: "lots", MaxMembers: 10}).limits()
	assert.Error(t, err)
	_, err = (&restoreCmd{MaxSize: "1GiB", MaxMembers: 0}).limits()
	assert.Error(t, err)
}
