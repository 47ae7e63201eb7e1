package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

func testHeader() *Header {
	return &Header{Format: FormatVersion, QuaysideVersion: "test", Schema: store.SchemaVersion(),
		Instance: "abcd1234", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Apps: []string{"shop"}}
}

// fakeDataDir makes a data dir with a database, a key, a certificate and
// a bare-looking repository with an empty directory.
func fakeDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"quayside.db": "sqlite bytes", "secret.key": "0123456789abcdef0123456789abcdef",
		"certs/local-ca/root.pem":          "PEM",
		"repos/shop.git/HEAD":              "ref: refs/heads/main\n",
		"repos/shop.git/refs/heads/main":   "3f2a\n",
		"repos/shop.git/objects/3f/2a":     "object",
		"repos/shop.git/hooks/pre-receive": "#!/bin/sh\n",
		"logs/shop/0001.log":               "not backed up",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	}
	require.NoError(t, os.Chmod(filepath.Join(dir, "repos/shop.git/hooks/pre-receive"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "repos/shop.git/refs/tags"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "repos/shop.git/objects/incoming-x"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "repos/shop.git/objects/incoming-x/pack"), []byte("q"), 0o600))
	return dir
}

// archiveOf writes a backup of the fake data dir.
func archiveOf(t *testing.T, data string, h *Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	a := newArchiveWriter(&buf)
	require.NoError(t, a.writeHeader(h))
	require.NoError(t, a.addFile(dataPrefix+"quayside.db", filepath.Join(data, "quayside.db")))
	b := &Backup{Data: data}
	for _, name := range backedUp[1:] {
		require.NoError(t, b.addEntry(a, name))
	}
	require.NoError(t, a.close(h))
	return buf.Bytes()
}

func TestBackupArchiveRoundTrip(t *testing.T) {
	data := fakeDataDir(t)
	out := t.TempDir()
	m, err := readBackup(bytes.NewReader(archiveOf(t, data, testHeader())), out, DefaultLimits, "test")
	require.NoError(t, err)

	assert.Equal(t, "abcd1234", m.Instance)
	assert.Equal(t, []string{"shop"}, m.Apps)
	for _, name := range []string{"quayside.db", "secret.key", "certs/local-ca/root.pem", "repos/shop.git/HEAD", "repos/shop.git/refs/heads/main", "repos/shop.git/objects/3f/2a"} {
		want, err := os.ReadFile(filepath.Join(data, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(out, "data", name))
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	assert.DirExists(t, filepath.Join(out, "data/repos/shop.git/refs/tags"), "empty directories come back")
	assert.NoDirExists(t, filepath.Join(out, "data/logs"), "logs are not backed up")
	assert.NoDirExists(t, filepath.Join(out, "data/repos/shop.git/objects/incoming-x"), "pushes in flight are left out")
	fi, err := os.Stat(filepath.Join(out, "data/repos/shop.git/hooks/pre-receive"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "executables stay executable")
	fi, err = os.Stat(filepath.Join(out, "data/secret.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestBackupArchiveBadInput(t *testing.T) {
	good := archiveOf(t, fakeDataDir(t), testHeader())
	cases := map[string]struct {
		archive []byte
		want    string
	}{
		"empty file":             {nil, "incomplete"},
		"cut in the gzip header": {good[:5], "incomplete"},
		"cut in the middle":      {good[:len(good)/2], "incomplete"},
		"cut before the trailer": {good[:len(good)-6], "incomplete"},
		"not gzip":               {[]byte("hello, this is plain text and not a backup at all"), "not a gzip file"},
		"short and not gzip":     {[]byte("hello"), "not a gzip file"},
		"a flipped byte":         {flip(good, len(good)/2), "damaged"},
		"newer format": {archiveOf(t, fakeDataDir(t), func() *Header {
			h := testHeader()
			h.Format = FormatVersion + 1
			return h
		}()), "made by a newer Quayside"},
		"newer schema": {archiveOf(t, fakeDataDir(t), func() *Header {
			h := testHeader()
			h.Schema = store.SchemaVersion() + 1
			return h
		}()), "made by a newer Quayside"},
		"a path out of the data dir":   {rawArchive(t, "data/../../etc/passwd"), "which no Quayside backup has"},
		"a path not backed up":         {rawArchive(t, "data/logs/x"), "which no Quayside backup has"},
		"an absolute path":             {rawArchive(t, "/etc/passwd"), "which no Quayside backup has"},
		"a symbolic link":              {rawArchive(t, "data/certs/link"), "neither a file nor a directory"},
		"a member not in the manifest": {rawArchive(t, "data/secret.key"), "members where its manifest lists"},
		"no header":                    {rawArchiveNoHeader(t), "does not start with"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			_, err := readBackup(bytes.NewReader(tc.archive), out, DefaultLimits, "test")
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
			if tc.want == "made by a newer Quayside" {
				entries, _ := os.ReadDir(out)
				assert.Empty(t, entries, "a newer backup is refused before anything is written")
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0xff
	return out
}

// rawArchive is an archive with a valid header, one extra member named
// name (a symbolic link when it ends in "link"), and a manifest that
// lists only the header.
func rawArchive(t *testing.T, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	a := newArchiveWriter(&buf)
	h := testHeader()
	require.NoError(t, a.writeHeader(h))
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: 1, Typeflag: tar.TypeReg}
	if filepath.Base(name) == "link" {
		hdr = &tar.Header{Name: name, Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}
	}
	require.NoError(t, a.tw.WriteHeader(hdr))
	if hdr.Size > 0 {
		_, err := a.tw.Write([]byte("x"))
		require.NoError(t, err)
	}
	require.NoError(t, a.close(h))
	return buf.Bytes()
}

// rawArchiveNoHeader is a gzip tar whose first member is not the header.
func rawArchiveNoHeader(t *testing.T) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	b, _ := json.Marshal(testHeader())
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: manifestMember, Mode: 0o600, Size: int64(len(b))}))
	_, err := tw.Write(b)
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func TestManifestVerify(t *testing.T) {
	m := Manifest{Members: []Member{
		{Path: headerMember, Size: 3, SHA256: "aa"},
		{Path: "data/repos", Dir: true},
		{Path: "data/secret.key", Size: 32, SHA256: "bb"},
	}}
	ok := append([]Member(nil), m.Members...)
	cases := map[string]struct {
		got  []Member
		want string
	}{
		"all match":       {ok, ""},
		"one missing":     {ok[:2], "holds 2 members where its manifest lists 3"},
		"one extra":       {append(append([]Member(nil), ok...), Member{Path: "data/x"}), "holds 4 members"},
		"another order":   {[]Member{ok[0], ok[2], ok[1]}, "member 2 is data/secret.key"},
		"another content": {[]Member{ok[0], ok[1], {Path: "data/secret.key", Size: 32, SHA256: "cc"}}, "does not match its checksum"},
		"another size":    {[]Member{ok[0], ok[1], {Path: "data/secret.key", Size: 31, SHA256: "bb"}}, "does not match its checksum"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := m.verify(tc.got)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
		})
	}
}

func TestCheckMemberPath(t *testing.T) {
	for p, ok := range map[string]bool{
		headerMember: true, manifestMember: true, imagesMember: true,
		"data/quayside.db": true, "data/repos/shop.git/HEAD": true, "data/certs": true,
		"data/": false, "data": false, "data/../x": false, "data/repos/../../x": false, "data/./secret.key": false,
		"data/logs/a": false, "data/quayside.lock": false, "images/other.tar": false, "/data/secret.key": false,
		"data/repos//x": false, "x": false,
	} {
		err := checkMemberPath(p)
		assert.Equal(t, ok, err == nil, "%q: %v", p, err)
	}
}
