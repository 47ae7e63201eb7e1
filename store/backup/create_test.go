package backup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

func TestCreateAndRestore(t *testing.T) {
	data := realDataDir(t, "inst1", "shop", "web")
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	h, size, err := (&Backup{Data: data, Version: "v9"}).Create(context.Background(), file)
	require.NoError(t, err)
	assert.Equal(t, []string{"shop", "web"}, h.Apps)
	assert.Equal(t, "inst1", h.Instance)
	assert.Equal(t, "v9", h.QuaysideVersion)
	assert.Empty(t, h.Images)
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, size, fi.Size())
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the backup holds the config key")
	assert.Equal(t, []string{"b.tar.gz"}, listDir(t, filepath.Dir(file)), "no temporary files are left")

	target := t.TempDir()
	res, err := restoreFile(t, &Restore{Data: target}, file)
	require.NoError(t, err)
	assert.Equal(t, "inst1", res.Manifest.Instance)
	assert.Empty(t, res.Replaced, "the data dir held nothing")
	for _, name := range []string{"secret.key", "certs/local-ca/root.pem", "repos/shop.git/HEAD", "repos/shop.git/objects/3f/2a"} {
		want, err := os.ReadFile(filepath.Join(data, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(target, name))
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	assert.NoDirExists(t, filepath.Join(target, "logs"), "logs are not backed up")
	old, err := readExisting(context.Background(), target)
	require.NoError(t, err)
	assert.Equal(t, existing{apps: []string{"shop", "web"}, instance: "inst1"}, old, "the restored database opens with the restored key")
	for _, n := range listDir(t, target) {
		assert.NotRegexp(t, `^\.restore-`, n, "the staging directory is removed")
	}
}

func TestCreateToStdout(t *testing.T) {
	var out bytes.Buffer
	data := realDataDir(t, "inst1")
	_, size, err := (&Backup{Data: data, Version: "v9", Stdout: &out}).Create(context.Background(), "-")
	require.NoError(t, err)
	assert.Equal(t, int64(out.Len()), size)
	assert.Equal(t, []byte{0x1f, 0x8b}, out.Bytes()[:2], "a gzip stream")
	m, err := readBackup(&out, t.TempDir(), DefaultLimits, "test")
	require.NoError(t, err)
	assert.Equal(t, "inst1", m.Instance)
}

func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	t.Run("no database", func(t *testing.T) {
		_, _, err := (&Backup{Data: t.TempDir()}).Create(ctx, filepath.Join(t.TempDir(), "b"))
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "err: %v", err)
	})
	t.Run("no instance id", func(t *testing.T) {
		data := t.TempDir()
		key, err := store.LoadOrCreateKey(filepath.Join(data, "secret.key"))
		require.NoError(t, err)
		db, err := store.Open(ctx, filepath.Join(data, "quayside.db"), key)
		require.NoError(t, err)
		require.NoError(t, db.Close())
		dst := t.TempDir()
		_, _, err = (&Backup{Data: data}).Create(ctx, filepath.Join(dst, "b"))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
		assert.Contains(t, engine.ErrorMessage(err), "start the server once")
		assert.Empty(t, listDir(t, dst), "a failed backup leaves no file that looks whole")
	})
	t.Run("no key", func(t *testing.T) {
		data := realDataDir(t, "inst1")
		require.NoError(t, os.Remove(filepath.Join(data, "secret.key")))
		_, _, err := (&Backup{Data: data}).Create(ctx, filepath.Join(t.TempDir(), "b"))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
	})
	t.Run("a destination that does not exist", func(t *testing.T) {
		_, _, err := (&Backup{Data: realDataDir(t, "inst1")}).Create(ctx, filepath.Join(t.TempDir(), "missing", "b"))
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
	})
	t.Run("images it cannot save", func(t *testing.T) {
		dst := t.TempDir()
		_, _, err := (&Backup{Data: realDataDir(t, "inst1"), Images: &fakeImages{saveErr: errors.New("docker is gone")}}).Create(ctx, filepath.Join(dst, "b"))
		require.ErrorContains(t, err, "docker is gone")
		assert.Empty(t, listDir(t, dst))
	})
}

// fakeImages stands in for Docker, which has no images to save here.
type fakeImages struct {
	saveErr error
	loaded  []byte
}

func (f *fakeImages) Save(_ context.Context, instance string, refs []string, dst string) ([]string, error) {
	if f.saveErr != nil {
		return nil, f.saveErr
	}
	return []string{"qs-" + instance + "/shop:v1"}, os.WriteFile(dst, []byte("image layers"), 0o600)
}

func (f *fakeImages) Load(_ context.Context, src string) error {
	var err error
	f.loaded, err = os.ReadFile(src)
	return err
}

func TestImagesRoundTrip(t *testing.T) {
	file := create(t, &Backup{Data: realDataDir(t, "inst1", "shop"), Images: &fakeImages{}})
	t.Run("loaded on restore", func(t *testing.T) {
		imgs := &fakeImages{}
		res, err := restoreFile(t, &Restore{Data: t.TempDir(), Images: imgs}, file)
		require.NoError(t, err)
		assert.Equal(t, []string{"qs-inst1/shop:v1"}, res.Manifest.Images)
		assert.Equal(t, "image layers", string(imgs.loaded))
	})
	t.Run("refused when they cannot be loaded, before the swap", func(t *testing.T) {
		target := t.TempDir()
		_, err := restoreFile(t, &Restore{Data: target}, file)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "err: %v", err)
		assert.NoFileExists(t, filepath.Join(target, "quayside.db"))
	})
}

func TestCreateEncrypted(t *testing.T) {
	rcp, err := PassphraseRecipient("a long enough passphrase")
	require.NoError(t, err)
	file := create(t, &Backup{Data: realDataDir(t, "inst1", "shop"), Recipients: []age.Recipient{rcp}})
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.True(t, IsEncrypted(bufio.NewReader(bytes.NewReader(raw))))

	t.Run("a wrong passphrase is refused before anything is written", func(t *testing.T) {
		id, err := PassphraseIdentity("not the passphrase at all")
		require.NoError(t, err)
		_, err = Decrypt(bytes.NewReader(raw), id)
		assert.ErrorIs(t, err, ErrWrongKey)
	})
	t.Run("the right one restores", func(t *testing.T) {
		id, err := PassphraseIdentity("a long enough passphrase")
		require.NoError(t, err)
		plain, err := Decrypt(bytes.NewReader(raw), id)
		require.NoError(t, err)
		res, err := (&Restore{Data: t.TempDir(), Limits: DefaultLimits, Version: "test"}).Run(context.Background(), plain)
		require.NoError(t, err)
		assert.Equal(t, []string{"shop"}, res.Manifest.Apps)
	})
	t.Run("an encrypted backup read as plain is refused", func(t *testing.T) {
		_, err := restoreFile(t, &Restore{Data: t.TempDir()}, file)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "not a gzip file")
	})
}
