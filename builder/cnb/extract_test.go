package cnb

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// entry is one tar entry of a test archive.
type entry struct {
	name, body, link string
	typ              byte
	mode             int64
}

func file(name, body string) entry {
	return entry{name: name, body: body, typ: tar.TypeReg, mode: 0o644}
}
func dir(name string) entry { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
func link(name, target string) entry {
	return entry{name: name, link: target, typ: tar.TypeSymlink, mode: 0o777}
}

// tarOf makes an uncompressed tar of entries, in order.
func tarOf(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body)), Format: tar.FormatPAX}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if e.typ == tar.TypeXGlobalHeader {
			hdr.PAXRecords = map[string]string{"comment": "0123456789abcdef"}
		}
		require.NoError(t, tw.WriteHeader(hdr))
		_, err := tw.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return &buf
}

func TestExtractTree(t *testing.T) {
	lim := treeLimits{maxBytes: 1 << 20, maxEntries: 100}
	tests := []struct {
		name     string
		entries  []entry
		lim      treeLimits
		code     string // expected error code; "" for success
		errHas   string
		skipped  []string
		check    func(t *testing.T, dir string)
		notExist []string // paths that must not exist under dir
	}{
		{
			name: "good tree",
			entries: []entry{
				{name: "pax_global_header", typ: tar.TypeXGlobalHeader},
				dir("app/"), file("app/main.go", "package main\n"),
				{name: "run.sh", body: "#!/bin/sh\n", typ: tar.TypeReg, mode: 0o755},
				file("deep/er/file.txt", "x"), // parents not listed
				link("app/link", "main.go"), link("top", "app/main.go"), link("up", "app/.."),
				dir("app/"), // directories may repeat
				dir("./"),
			},
			check: func(t *testing.T, dir string) {
				b, err := os.ReadFile(filepath.Join(dir, "app/main.go"))
				require.NoError(t, err)
				assert.Equal(t, "package main\n", string(b))
				fi, err := os.Stat(filepath.Join(dir, "run.sh"))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
				fi, err = os.Stat(filepath.Join(dir, "app/main.go"))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
				target, err := os.Readlink(filepath.Join(dir, "top"))
				require.NoError(t, err)
				assert.Equal(t, "app/main.go", target)
				_, err = os.Stat(filepath.Join(dir, "deep/er/file.txt"))
				assert.NoError(t, err)
				_, err = os.Lstat(filepath.Join(dir, "pax_global_header"))
				assert.True(t, os.IsNotExist(err), "the global header is no file")
			},
		},
		{name: "dot-dot escape", entries: []entry{file("../evil", "x")}, code: engine.EINVALID, errHas: "holds .."},
		{name: "dot-dot inside the path", entries: []entry{file("a/../../evil", "x")}, code: engine.EINVALID, errHas: "holds .."},
		{name: "absolute path", entries: []entry{file("/etc/evil", "x")}, code: engine.EINVALID, errHas: "absolute"},
		{
			name:     "symlink escaping is left out",
			entries:  []entry{link("abs", "/etc/passwd"), link("a/rel", "../../etc"), file("a/ok", "x")},
			skipped:  []string{"abs -> /etc/passwd", "a/rel -> ../../etc"},
			notExist: []string{"abs", "a/rel"},
		},
		{
			name:     "symlink escaping through another link is removed",
			entries:  []entry{dir("a/b/"), link("a/b/up", ".."), link("a/b/x", "up/../..")},
			skipped:  []string{"a/b/x -> up/../.."},
			notExist: []string{"a/b/x"},
			check: func(t *testing.T, dir string) {
				_, err := os.Lstat(filepath.Join(dir, "a/b/up"))
				assert.NoError(t, err, "the link that stays inside stays")
			},
		},
		{
			name:    "nothing is written through a symlink",
			entries: []entry{dir("real/"), link("l", "real"), file("l/f", "x")},
			code:    engine.EINVALID, errHas: "under the symbolic link",
			notExist: []string{"real/f"},
		},
		{
			name:    "a file does not replace a symlink",
			entries: []entry{file("target", "t"), link("l", "target"), file("l", "x")},
			code:    engine.EINVALID, errHas: "appears twice",
			check: func(t *testing.T, dir string) {
				b, err := os.ReadFile(filepath.Join(dir, "target"))
				require.NoError(t, err)
				assert.Equal(t, "t", string(b))
			},
		},
		{name: "duplicate file", entries: []entry{file("f", "1"), file("f", "2")}, code: engine.EINVALID, errHas: "appears twice"},
		{name: "file under a file", entries: []entry{file("f", "1"), file("f/g", "2")}, code: engine.EINVALID, errHas: "is a file"},
		{name: "char device", entries: []entry{{name: "dev", typ: tar.TypeChar, mode: 0o644}}, code: engine.EINVALID, errHas: "device"},
		{name: "block device", entries: []entry{{name: "dev", typ: tar.TypeBlock, mode: 0o644}}, code: engine.EINVALID, errHas: "device"},
		{name: "fifo", entries: []entry{{name: "p", typ: tar.TypeFifo, mode: 0o644}}, code: engine.EINVALID, errHas: "pipe"},
		{name: "hard link", entries: []entry{file("f", "1"), {name: "h", link: "f", typ: tar.TypeLink}}, code: engine.EINVALID, errHas: "hard link"},
		{
			name:    "too large",
			entries: []entry{file("a", strings.Repeat("x", 600)), file("b", strings.Repeat("x", 600))},
			lim:     treeLimits{maxBytes: 1000, maxEntries: 100}, code: engine.ETOOLARGE,
			notExist: []string{"b"},
		},
		{
			name:    "too many entries",
			entries: []entry{file("a", ""), file("b", ""), file("c", "")},
			lim:     treeLimits{maxBytes: 1000, maxEntries: 2}, code: engine.ETOOLARGE,
			notExist: []string{"c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := tt.lim
			if l == (treeLimits{}) {
				l = lim
			}
			skipped, err := extractTree(tarOf(t, tt.entries...), dir, l)
			if tt.code == "" {
				require.NoError(t, err)
				assert.ElementsMatch(t, tt.skipped, skipped)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.code, engine.ErrorCode(err), "error: %v", err)
				assert.Contains(t, engine.ErrorMessage(err), tt.errHas)
			}
			for _, p := range tt.notExist {
				_, err := os.Lstat(filepath.Join(dir, p))
				assert.True(t, os.IsNotExist(err), "%s must not exist", p)
			}
			if tt.check != nil {
				tt.check(t, dir)
			}
		})
	}
}

func TestExtractTreeCorruptArchive(t *testing.T) {
	buf := tarOf(t, file("a", strings.Repeat("x", 2000)))
	_, err := extractTree(bytes.NewReader(buf.Bytes()[:1000]), t.TempDir(), defaultTreeLimits)
	require.Error(t, err)
	assert.Equal(t, engine.EINTERNAL, engine.ErrorCode(err))
}

func TestEntryName(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"a/b.txt", "a/b.txt", true},
		{"a/b/", "a/b", true},
		{"./a", "a", true},
		{"a//b", "a/b", true},
		{"./", ".", true},
		{"", "", false},
		{"/a", "", false},
		{"..", "", false},
		{"a/../..", "", false},
		{"a/..", "", false},
		{"a\x00b", "", false},
	}
	for _, tt := range tests {
		got, err := entryName(tt.raw)
		if !tt.ok {
			assert.Error(t, err, "%q", tt.raw)
			continue
		}
		require.NoError(t, err, "%q", tt.raw)
		assert.Equal(t, tt.want, got, "%q", tt.raw)
	}
}
