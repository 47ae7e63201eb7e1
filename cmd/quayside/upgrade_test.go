package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeBinary is a script that answers `version` like quayside does.
func fakeBinary(v string) []byte {
	return []byte("#!/bin/sh\necho 'quayside " + v + " (test)'\n")
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// installed writes the "current" binary and returns an upgrader for it.
func installed(t *testing.T) *upgrader {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quayside")
	require.NoError(t, os.WriteFile(bin, fakeBinary("v1"), 0o755))
	return &upgrader{bin: bin, http: http.DefaultClient}
}

func versionOf(t *testing.T, bin string) string {
	t.Helper()
	v, err := binaryVersion(t.Context(), bin)
	require.NoError(t, err)
	return v
}

// noStrays asserts the binary's directory holds only the binary and .previous.
func noStrays(t *testing.T, u *upgrader) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(u.bin))
	require.NoError(t, err)
	for _, e := range entries {
		assert.Contains(t, []string{"quayside", "quayside.previous"}, e.Name())
	}
}

func releaseServer(t *testing.T, files map[string][]byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUpgrade(t *testing.T) {
	v2 := fakeBinary("v2")
	file := "quayside-linux-" + runtime.GOARCH
	t.Run("verifies with SHA256SUMS, swaps, keeps the previous binary", func(t *testing.T) {
		srv := releaseServer(t, map[string][]byte{"/r/" + file: v2, "/r/SHA256SUMS": []byte(sha([]byte("x")) + "  other\n" + sha(v2) + " *" + file + "\n")})
		u := installed(t)
		require.NoError(t, u.upgrade(t.Context(), srv.URL+"/r/"+file, ""))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.bin))
		assert.Equal(t, "quayside v1 (test)", versionOf(t, u.previous()))
		noStrays(t, u)
	})
	t.Run("takes --sha256, or URL.sha256", func(t *testing.T) {
		srv := releaseServer(t, map[string][]byte{"/a/bin": v2, "/b/bin": v2, "/b/bin.sha256": []byte(sha(v2) + "  bin\n")})
		u := installed(t)
		require.NoError(t, u.upgrade(t.Context(), srv.URL+"/a/bin", sha(v2)))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.bin))
		u = installed(t)
		require.NoError(t, u.upgrade(t.Context(), srv.URL+"/b/bin", ""))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.bin))
	})
	t.Run("a file:// URL works too", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "new")
		require.NoError(t, os.WriteFile(p, v2, 0o644))
		u := installed(t)
		require.NoError(t, u.upgrade(t.Context(), "file://"+p, sha(v2)))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.bin))
	})
	refusals := map[string]struct {
		files map[string][]byte
		sha   string
		want  string
	}{
		"a checksum mismatch": {map[string][]byte{"/r/bin": v2}, sha([]byte("other")), "SHA-256 does not match"},
		"no checksum at all":  {map[string][]byte{"/r/bin": v2}, "", "no checksum to verify"},
		"a binary that does not run": {
			map[string][]byte{"/r/bin": []byte("\x7fELF garbage")}, sha([]byte("\x7fELF garbage")), "does not run on this machine",
		},
		"a download that fails": {map[string][]byte{}, "", "the server answered 404"},
	}
	for name, tc := range refusals {
		t.Run("refuses "+name+" and changes nothing", func(t *testing.T) {
			srv := releaseServer(t, tc.files)
			u := installed(t)
			err := u.upgrade(t.Context(), srv.URL+"/r/bin", tc.sha)
			require.Error(t, err)
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
			assert.Equal(t, "quayside v1 (test)", versionOf(t, u.bin))
			assert.NoFileExists(t, u.previous())
			noStrays(t, u)
		})
	}
}

func TestUpgradeRollback(t *testing.T) {
	v2 := fakeBinary("v2")
	srv := releaseServer(t, map[string][]byte{"/bin": v2})
	u := installed(t)
	err := u.rollback(t.Context())
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "nothing to go back to yet")

	require.NoError(t, u.upgrade(t.Context(), srv.URL+"/bin", sha(v2)))
	require.NoError(t, u.rollback(t.Context()))
	assert.Equal(t, "quayside v1 (test)", versionOf(t, u.bin))
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.previous()))
	require.NoError(t, u.rollback(t.Context()), "a second rollback goes forward again")
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.bin))
	noStrays(t, u)
}

func TestReleaseBinaryURL(t *testing.T) {
	arch := runtime.GOARCH
	cases := []struct{ base, version, want string }{
		{"", "", releasesURL + "/latest/download/quayside-linux-" + arch},
		{"", "v1.2.0", releasesURL + "/download/v1.2.0/quayside-linux-" + arch},
		{"https://mirror.example/q/", "v1.2.0", "https://mirror.example/q/quayside-linux-" + arch},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, releaseBinaryURL(c.base, c.version))
	}
}

func TestShaFor(t *testing.T) {
	sums := "aaa  quayside-linux-amd64\nbbb *quayside-linux-arm64\nbad line here\n"
	assert.Equal(t, "aaa", shaFor(sums, "quayside-linux-amd64"))
	assert.Equal(t, "bbb", shaFor(sums, "quayside-linux-arm64"))
	assert.Empty(t, shaFor(sums, "quayside-linux-riscv64"))
}
