package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

func TestRestoreRefusesDataDirWithApps(t *testing.T) {
	file := create(t, &Backup{Data: realDataDir(t, "new1", "shop")})
	target := realDataDir(t, "old1", "blog")
	before := listDir(t, target)

	_, err := restoreFile(t, &Restore{Data: target}, file)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "already has 1 app (blog)")
	assert.Contains(t, engine.ErrorMessage(err), "--force")
	assert.ElementsMatch(t, append(before, "quayside.lock"), listDir(t, target), "nothing changed but the lock file")

	res, err := restoreFile(t, &Restore{Data: target, Force: true}, file)
	require.NoError(t, err)
	assert.Equal(t, "old1", res.OldInstance, "the old server's containers are named for the user to remove")
	require.NotEmpty(t, res.Replaced)
	assert.FileExists(t, filepath.Join(res.Replaced, "quayside.db"), "the replaced files are kept")
	assert.FileExists(t, filepath.Join(res.Replaced, "logs/shop/0001.log"))
	old, err := readExisting(context.Background(), target)
	require.NoError(t, err)
	assert.Equal(t, existing{apps: []string{"shop"}, instance: "new1"}, old)
}

func TestRestoreRefusesUnreadableDatabase(t *testing.T) {
	file := create(t, &Backup{Data: realDataDir(t, "new1", "shop")})
	target := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(target, "quayside.db"), []byte("not sqlite"), 0o600))
	_, err := restoreFile(t, &Restore{Data: target}, file)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "cannot be read")
	got, err := os.ReadFile(filepath.Join(target, "quayside.db"))
	require.NoError(t, err)
	assert.Equal(t, "not sqlite", string(got))
}

func TestRestoreRefusesWhileTheDaemonRuns(t *testing.T) {
	file := create(t, &Backup{Data: realDataDir(t, "new1")})
	target := t.TempDir()
	unlock, err := lockDataDir(target) // what the daemon holds while it runs
	require.NoError(t, err)
	defer unlock()
	_, err = restoreFile(t, &Restore{Data: target}, file)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "stop it first")
	assert.Equal(t, []string{"quayside.lock"}, listDir(t, target))
}

func TestRestoreBadArchivesChangeNothing(t *testing.T) {
	good, err := os.ReadFile(create(t, &Backup{Data: realDataDir(t, "new1", "shop")}))
	require.NoError(t, err)
	newer := archiveOf(t, fakeDataDir(t), func() *Header {
		h := testHeader()
		h.Schema = store.SchemaVersion() + 1
		return h
	}())
	for name, archive := range map[string][]byte{
		"truncated":           good[:len(good)/2],
		"corrupt":             flip(good, len(good)/2),
		"newer schema":        newer,
		"traversal":           rawArchive(t, "data/../../etc/passwd"),
		"symbolic link":       rawArchive(t, "data/certs/link"),
		"manifest mismatch":   rawArchive(t, "data/secret.key"),
		"a fake database":     archiveOf(t, fakeDataDir(t), testHeader()),
		"another instance":    mismatchedInstance(t),
		"no key":              withoutKey(t),
		"not a backup at all": []byte("hello"),
	} {
		t.Run(name, func(t *testing.T) {
			target := realDataDir(t, "old1")
			before := listDir(t, target)
			res, err := (&Restore{Data: target, Limits: DefaultLimits, Version: "test"}).Run(context.Background(), bytes.NewReader(archive))
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
			assert.ElementsMatch(t, append(before, "quayside.lock"), listDir(t, target), "the data dir is as it was")
			old, err := readExisting(context.Background(), target)
			require.NoError(t, err)
			assert.Equal(t, "old1", old.instance)
		})
	}
}

// mismatchedInstance is a whole backup of a real data dir whose header
// and manifest name another instance than its database.
func mismatchedInstance(t *testing.T) []byte {
	h := testHeader()
	h.Instance = "someone-else"
	return archiveOf(t, realDataDir(t, "inst1"), h)
}

// withoutKey is a whole backup of a real data dir without its key.
func withoutKey(t *testing.T) []byte {
	data := realDataDir(t, "inst1")
	require.NoError(t, os.Rename(filepath.Join(data, "secret.key"), filepath.Join(t.TempDir(), "secret.key")))
	h := testHeader()
	h.Instance = "inst1"
	return archiveOf(t, data, h)
}

func TestSwapIn(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	for _, n := range []string{"quayside.lock", "quayside.db", "logs"} {
		require.NoError(t, os.WriteFile(filepath.Join(data, n), []byte("old "+n), 0o600))
	}
	require.NoError(t, os.Mkdir(filepath.Join(data, ".restore-1"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(src, "quayside.db"), []byte("new"), 0o600))

	aside, err := swapIn(data, src, "20260102-030405")
	require.NoError(t, err)
	assert.Regexp(t, `/\.replaced-20260102-030405-`, aside)
	assert.ElementsMatch(t, []string{"quayside.lock", "quayside.db", ".restore-1", filepath.Base(aside)}, listDir(t, data))
	assert.ElementsMatch(t, []string{"quayside.db", "logs"}, listDir(t, aside))
	got, _ := os.ReadFile(filepath.Join(data, "quayside.db"))
	assert.Equal(t, "new", string(got))
	got, _ = os.ReadFile(filepath.Join(data, "quayside.lock"))
	assert.Equal(t, "old quayside.lock", string(got), "the lock stays")

	empty := t.TempDir()
	aside, err = swapIn(empty, t.TempDir(), "x")
	require.NoError(t, err)
	assert.Empty(t, aside, "nothing to keep aside")
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
	bomb := bombArchive(t, 8<<20)
	require.Less(t, len(bomb), 64<<10, "8 MiB of zeros compress to little")
	cases := map[string]Limits{
		"one member past the cap": {MaxTotal: 1 << 40, MaxMember: 4 << 20, MaxMembers: 100},
		"the total past the cap":  {MaxTotal: 4 << 20, MaxMember: 1 << 40, MaxMembers: 100},
		"too many members":        {MaxTotal: 1 << 40, MaxMember: 1 << 40, MaxMembers: 1},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			target := t.TempDir()
			_, err := (&Restore{Data: target, Limits: l, Version: "test"}).Run(context.Background(), bytes.NewReader(bomb))
			require.Error(t, err)
			assert.Equal(t, engine.ETOOLARGE, engine.ErrorCode(err), "err: %v", err)
			var size int64
			_ = filepath.Walk(target, func(_ string, fi os.FileInfo, _ error) error {
				if fi != nil && !fi.IsDir() {
					size += fi.Size()
				}
				return nil
			})
			assert.Zero(t, size, "nothing of the bomb was written")
		})
	}
	t.Run("within generous limits it reads", func(t *testing.T) {
		_, err := readBackup(bytes.NewReader(bomb), t.TempDir(), DefaultLimits, "test")
		// It is not a whole backup (no manifest entry for the member), but
		// it gets past the limits.
		require.Error(t, err)
		assert.NotEqual(t, engine.ETOOLARGE, engine.ErrorCode(err))
	})
}
