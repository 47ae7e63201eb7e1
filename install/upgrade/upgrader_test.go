package upgrade

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// testReleaseKey signs the test releases; the upgraders trust it.
var testReleasePub, testReleaseKey, _ = ed25519.GenerateKey(rand.Reader)

// installed writes the "current" binary and returns an upgrader for it
// that downloads from srv (nil: no https server) and trusts testReleasePub.
func installed(t *testing.T, srv *httptest.Server) *Upgrader {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quayside")
	require.NoError(t, os.WriteFile(bin, fakeBinary("v1"), 0o755))
	u := &Upgrader{Bin: bin, Key: testReleasePub, HTTP: HTTPSOnlyClient(), Out: io.Discard}
	if srv != nil {
		u.HTTP = srv.Client()
		u.HTTP.CheckRedirect = RefuseInsecureRedirect
	}
	return u
}

// signed returns the SHA256SUMS and SHA256SUMS.sig of a release, under dir.
func signed(dir, sums string) map[string][]byte {
	return map[string][]byte{dir + "SHA256SUMS": []byte(sums), dir + "SHA256SUMS.sig": Sign(testReleaseKey, []byte(sums))}
}

func merge(ms ...map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

func versionOf(t *testing.T, bin string) string {
	t.Helper()
	v, err := binaryVersion(t.Context(), bin)
	require.NoError(t, err)
	return v
}

// noStrays asserts the binary's directory holds only the binary and .previous.
func noStrays(t *testing.T, u *Upgrader) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(u.Bin))
	require.NoError(t, err)
	for _, e := range entries {
		assert.Contains(t, []string{"quayside", "quayside.previous"}, e.Name())
	}
}

func releaseServer(t *testing.T, files map[string][]byte) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	goodSums := sha([]byte("x")) + "  other\n" + sha(v2) + " *" + file + "\n"
	t.Run("verifies the signed SHA256SUMS, swaps, keeps the previous binary", func(t *testing.T) {
		srv := releaseServer(t, merge(map[string][]byte{"/r/" + file: v2}, signed("/r/", goodSums)))
		u := installed(t, srv)
		require.NoError(t, u.Upgrade(t.Context(), srv.URL+"/r/"+file, ""))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Bin))
		assert.Equal(t, "quayside v1 (test)", versionOf(t, u.Previous()))
		noStrays(t, u)
	})
	t.Run("takes --sha256 without a signature", func(t *testing.T) {
		srv := releaseServer(t, map[string][]byte{"/a/bin": v2})
		u := installed(t, srv)
		require.NoError(t, u.Upgrade(t.Context(), srv.URL+"/a/bin", sha(v2)))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Bin))
	})
	t.Run("a file:// release works too", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), v2, 0o644))
		for name, b := range signed("", goodSums) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
		}
		u := installed(t, nil)
		require.NoError(t, u.Upgrade(t.Context(), "file://"+filepath.Join(dir, file), ""))
		assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Bin))
	})
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	tampered := signed("/r/", goodSums)
	tampered["/r/SHA256SUMS"] = []byte(sha([]byte("evil")) + "  bin\n")
	refusals := map[string]struct {
		files map[string][]byte
		sha   string
		want  string
	}{
		"a checksum mismatch":                 {merge(map[string][]byte{"/r/bin": v2}, signed("/r/", sha([]byte("other"))+"  bin\n")), "", "SHA-256 does not match"},
		"a tampered binary":                   {merge(map[string][]byte{"/r/bin": append(v2, '#')}, signed("/r/", sha(v2)+"  bin\n")), "", "SHA-256 does not match"},
		"a tampered SHA256SUMS":               {merge(map[string][]byte{"/r/bin": v2}, tampered), "", "signature of SHA256SUMS does not verify"},
		"a bad signature":                     {map[string][]byte{"/r/bin": v2, "/r/SHA256SUMS": []byte(sha(v2) + "  bin\n"), "/r/SHA256SUMS.sig": []byte("AAAA\n")}, "", "signature of SHA256SUMS does not verify"},
		"a signature by another key":          {map[string][]byte{"/r/bin": v2, "/r/SHA256SUMS": []byte(sha(v2) + "  bin\n"), "/r/SHA256SUMS.sig": Sign(otherKey, []byte(sha(v2)+"  bin\n"))}, "", "signature of SHA256SUMS does not verify"},
		"an unsigned SHA256SUMS":              {map[string][]byte{"/r/bin": v2, "/r/SHA256SUMS": []byte(sha(v2) + "  bin\n")}, "", "cannot read the signature"},
		"no checksum at all":                  {map[string][]byte{"/r/bin": v2}, "", "cannot read"},
		"a release without the binary's line": {merge(map[string][]byte{"/r/bin": v2}, signed("/r/", sha(v2)+"  other\n")), "", "has no line for bin"},
		"an oversized SHA256SUMS":             {merge(map[string][]byte{"/r/bin": v2}, signed("/r/", strings.Repeat("#", MaxSumsSize+1))), "", "is larger than"},
		"a binary that does not run": {
			map[string][]byte{"/r/bin": []byte("\x7fELF garbage")}, sha([]byte("\x7fELF garbage")), "does not run on this machine",
		},
		"a download that fails": {signed("/r/", sha(v2)+"  bin\n"), "", "the server answered 404"},
	}
	for name, tc := range refusals {
		t.Run("refuses "+name+" and changes nothing", func(t *testing.T) {
			srv := releaseServer(t, tc.files)
			u := installed(t, srv)
			err := u.Upgrade(t.Context(), srv.URL+"/r/bin", tc.sha)
			require.Error(t, err)
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
			assertUnchanged(t, u)
		})
	}
}

func assertUnchanged(t *testing.T, u *Upgrader) {
	t.Helper()
	assert.Equal(t, "quayside v1 (test)", versionOf(t, u.Bin))
	assert.NoFileExists(t, u.Previous())
	noStrays(t, u)
}

func TestUpgradeRefusesHTTP(t *testing.T) {
	v2 := fakeBinary("v2")
	files := merge(map[string][]byte{"/r/bin": v2}, signed("/r/", sha(v2)+"  bin\n"))
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(files[r.URL.Path]) }))
	t.Cleanup(plain.Close)
	u := installed(t, nil)
	err := u.Upgrade(t.Context(), plain.URL+"/r/bin", "")
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "not an https:// or file:// URL")
	assertUnchanged(t, u)

	// An https server that redirects to the plain one is refused too.
	redirect := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/r/bin", http.StatusFound))
	t.Cleanup(redirect.Close)
	u = installed(t, redirect)
	err = u.Upgrade(t.Context(), redirect.URL+"/r/bin", sha(v2))
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "releases are downloaded over https only")
	assertUnchanged(t, u)
}

func TestUpgradeRefusesOversize(t *testing.T) {
	huge := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		for range MaxBinarySize>>20 + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewTLSServer(huge)
	t.Cleanup(srv.Close)
	u := installed(t, srv)
	err := u.Upgrade(t.Context(), srv.URL+"/r/bin", sha([]byte("whatever")))
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "is larger than 200.0 MiB")
	assertUnchanged(t, u)
}

func TestUpgradeRollback(t *testing.T) {
	v2 := fakeBinary("v2")
	srv := releaseServer(t, map[string][]byte{"/bin": v2})
	u := installed(t, srv)
	err := u.Rollback(t.Context())
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "nothing to go back to yet")

	require.NoError(t, u.Upgrade(t.Context(), srv.URL+"/bin", sha(v2)))
	require.NoError(t, u.Rollback(t.Context()))
	assert.Equal(t, "quayside v1 (test)", versionOf(t, u.Bin))
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Previous()))
	require.NoError(t, u.Rollback(t.Context()), "a second rollback goes forward again")
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Bin))
	noStrays(t, u)
}

func TestReleaseBinaryURL(t *testing.T) {
	arch := runtime.GOARCH
	cases := []struct{ base, version, want string }{
		{"", "", ReleasesURL + "/latest/download/quayside-linux-" + arch},
		{"", "v1.2.0", ReleasesURL + "/download/v1.2.0/quayside-linux-" + arch},
		{"https://mirror.example/q/", "v1.2.0", "https://mirror.example/q/quayside-linux-" + arch},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, ReleaseBinaryURL(c.base, c.version))
	}
}
