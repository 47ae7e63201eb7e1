package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// tarGz writes members (name, content; a nil content is a directory) as
// a gzip tar, with extra bytes after the tar's end inside the gzip stream.
func tarGz(t *testing.T, extra []byte, members ...[2]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		name, content := m[0].(string), m[1]
		if content == nil {
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: name + "/", Mode: 0o700, Typeflag: tar.TypeDir}))
			continue
		}
		b := content.([]byte)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	_, err := gz.Write(extra)
	require.NoError(t, err)
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func headerJSON(t *testing.T) []byte {
	b, err := json.Marshal(testHeader())
	require.NoError(t, err)
	return b
}

func TestReaderRefusals(t *testing.T) {
	h := headerJSON(t)
	m, err := json.Marshal(Manifest{Header: *testHeader()})
	require.NoError(t, err)
	cases := map[string]struct {
		archive []byte
		want    string
	}{
		"a second header":           {tarGz(t, nil, [2]any{headerMember, h}, [2]any{headerMember, h}), "a second header"},
		"a header that is not JSON": {tarGz(t, nil, [2]any{headerMember, []byte("{")}), "is not valid JSON"},
		"a header that is a dir":    {tarGz(t, nil, [2]any{headerMember, nil}), "does not start with"},
		"members after the manifest": {
			tarGz(t, nil, [2]any{headerMember, h}, [2]any{manifestMember, m}, [2]any{"data/secret.key", []byte("k")}), "members follow its manifest",
		},
		"garbage after the archive": {
			tarGz(t, bytes.Repeat([]byte{0}, MaxTrailing+2), [2]any{headerMember, h}, [2]any{manifestMember, m}), "follow the end of its archive",
		},
		"a member appearing twice": {
			tarGz(t, nil, [2]any{headerMember, h}, [2]any{"data/secret.key", []byte("a")}, [2]any{"data/secret.key", []byte("b")}), "appears twice",
		},
		"no manifest": {tarGz(t, nil, [2]any{headerMember, h}), "ends before its manifest"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := readBackup(bytes.NewReader(tc.archive), t.TempDir(), DefaultLimits, "test")
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
		})
	}
	t.Run("an empty manifest of an archive with members", func(t *testing.T) {
		archive := tarGz(t, nil, [2]any{headerMember, h}, [2]any{"data/repos", nil}, [2]any{manifestMember, m})
		_, err := readBackup(bytes.NewReader(archive), t.TempDir(), DefaultLimits, "test")
		assert.Contains(t, engine.ErrorMessage(err), "members where its manifest lists")
	})
	t.Run("a little padding after the archive is fine", func(t *testing.T) {
		var buf bytes.Buffer
		a := newArchiveWriter(&buf)
		require.NoError(t, a.writeHeader(testHeader()))
		require.NoError(t, a.close(testHeader()))
		_, err := readBackup(io.MultiReader(&buf, bytes.NewReader(make([]byte, 512))), t.TempDir(), DefaultLimits, "test")
		assert.NoError(t, err)
	})
}

func TestExtractedModes(t *testing.T) {
	var buf bytes.Buffer
	a := newArchiveWriter(&buf)
	h := testHeader()
	require.NoError(t, a.writeHeader(h))
	require.NoError(t, a.tw.WriteHeader(&tar.Header{Name: "data/certs/x.pem", Mode: 0o4777, Size: 1, Typeflag: tar.TypeReg}))
	_, err := a.tw.Write([]byte("x"))
	require.NoError(t, err)
	a.members = append(a.members, Member{}) // the manifest must list it; its checksum will not match
	require.NoError(t, a.close(h))
	out := t.TempDir()
	_, err = readBackup(&buf, out, DefaultLimits, "test")
	require.Error(t, err, "the member does not match the manifest")
	fi, err := os.Stat(filepath.Join(out, "data/certs/x.pem"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode()&os.ModePerm|fi.Mode()&(os.ModeSetuid|os.ModeSetgid), "no setuid, nothing for group or others")
}

func TestWriterSkipsWhatIsNotBackedUp(t *testing.T) {
	data := fakeDataDir(t)
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(data, "certs", "link")))
	require.NoError(t, os.WriteFile(filepath.Join(data, "repos/shop.git/refs/heads/main.lock"), []byte("x"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(data, "repos/.tmp-new.git"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(data, "repos/shop.git/objects/tmp_objdir-1"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "repos/notes.txt"), []byte("x"), 0o600))

	var buf bytes.Buffer
	a := newArchiveWriter(&buf)
	b := &Backup{Data: data}
	for _, name := range backedUp[1:] {
		require.NoError(t, b.addEntry(a, name))
	}
	var paths []string
	for _, m := range a.members {
		paths = append(paths, m.Path)
	}
	assert.Contains(t, paths, "data/repos/shop.git/HEAD")
	for _, p := range []string{"data/certs/link", "data/repos/shop.git/refs/heads/main.lock", "data/repos/.tmp-new.git",
		"data/repos/shop.git/objects/tmp_objdir-1", "data/repos/notes.txt", "data/repos/shop.git/objects/incoming-x"} {
		assert.NotContains(t, paths, p)
	}
	objects := -1
	for i, p := range paths {
		if p == "data/repos/shop.git/objects" {
			objects = i
		}
	}
	require.GreaterOrEqual(t, objects, 0)
	assert.Equal(t, "data/repos/shop.git/objects", paths[objects])
	for _, p := range paths[:objects] {
		assert.NotContains(t, p, "/objects/", "objects come after the refs that point at them")
	}
}

func TestAddFileVanished(t *testing.T) {
	a := newArchiveWriter(io.Discard)
	assert.ErrorIs(t, a.addFile("data/secret.key", filepath.Join(t.TempDir(), "gone")), errVanished)
	b := &Backup{Data: t.TempDir()}
	assert.NoError(t, b.addEntry(a, "secret.key"), "a missing entry is left out")
	assert.Empty(t, a.members)
}

func TestChownLikeDirAsUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root it changes owners")
	}
	assert.NoError(t, chownLikeDir(t.TempDir()), "nothing to do for a user")
}

func TestReadJSONRefusesBigMembers(t *testing.T) {
	var v Manifest
	_, err := (&archiveReader{}).readJSON(&tar.Header{Name: manifestMember, Size: maxJSONMember + 1, Typeflag: tar.TypeReg}, &v)
	assert.Contains(t, engine.ErrorMessage(err), "manifest.json is not a small file", "refused before anything is read")
}
