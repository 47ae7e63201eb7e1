package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appRepo makes a git repository from one of the sample apps under
// testdata/apps.
func appRepo(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "apps", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, _ := d.Info()
		return os.WriteFile(dst, b, info.Mode().Perm())
	})
	require.NoError(t, err)
	gitIn(t, dir, "init", "-q", "--initial-branch=main")
	commitAll(t, dir, "sample "+name)
	return dir
}

// TestBuildpackApps pushes each sample app without a Dockerfile: the offline
// builder recognises it, builds it, and it answers through the proxy.
func TestBuildpackApps(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--builder", testBuilder())
	apps := []struct{ dir, want string }{
		{"procfile", "Hello from the procfile sample"},
		{"go", "Hello from the go sample"},
		{"go-vendor", "Hello from the go-vendor sample (started by the Procfile"},
		{"python", "Hello from the python sample"},
		{"python-wheel", "Hello from the python-wheel sample (quayside_greeting 1.0.0)"},
		{"nodejs", "Hello from the nodejs sample"},
		{"static", "Hello from the static sample"},
	}
	// The samples are pushed at once: the server builds --max-builds (2)
	// at a time, as it would for a team pushing together.
	t.Run("samples", func(t *testing.T) {
		for _, a := range apps {
			t.Run(a.dir, func(t *testing.T) {
				t.Parallel()
				out, err := s.push(appRepo(t, a.dir), "bp-"+a.dir)
				require.NoError(t, err, out)
				assert.Contains(t, out, "Released v1")
				code, body, err := s.get("bp-"+a.dir, "/")
				require.NoError(t, err)
				assert.Equal(t, 200, code)
				assert.Contains(t, body, a.want)
			})
		}
	})
	assert.Contains(t, s.logs.String(), "buildpack builder chosen", "the server says which builder it uses")

	t.Run("a static site serves 404s and caches fingerprinted assets", func(t *testing.T) {
		code, _, err := s.get("bp-static", "/missing")
		require.NoError(t, err)
		assert.Equal(t, 404, code)
	})
	t.Run("the second build reuses the cache; clear-cache starts clean", func(t *testing.T) {
		repo := appRepo(t, "go")
		writeFile(t, repo, "extra.go", "package main\n\nconst extra = 1\n")
		commitAll(t, repo, "change")
		out, err := s.push(repo, "bp-go", "--force")
		require.NoError(t, err, out)
		assert.Contains(t, out, "-----> Restored")
		commitAll(t, repo, "again")
		out, err = s.push(repo, "bp-go", "--push-option=clear-cache")
		require.NoError(t, err, out)
		assert.NotContains(t, out, "-----> Restored")
	})
	t.Run("a worker from the Procfile runs when scaled", func(t *testing.T) {
		s.mustCLI("ps", "scale", "bp-procfile", "worker=1")
		waitFor(t, 30*time.Second, "worker output", func() bool {
			return strings.Contains(s.processLogs("bp-procfile", "worker"), "still working")
		})
	})
	t.Run("destroy removes the build cache too", func(t *testing.T) {
		s.mustCLI("apps", "destroy", "bp-go", "--confirm", "bp-go")
		vols, err := execOut("docker", "volume", "ls", "-q", "--filter", "name=qs-"+s.instance+"-bp-go-cache")
		require.NoError(t, err)
		assert.Empty(t, strings.TrimSpace(vols), "the name filter matches substrings: bp-go-vendor's cache is not bp-go's")
	})
	t.Run("an app no buildpack recognises is refused with what each looked for", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "README.md", "nothing to build")
		gitIn(t, dir, "init", "-q", "--initial-branch=main")
		commitAll(t, dir, "readme only")
		out, err := s.push(dir, "nothing")
		require.Error(t, err)
		assert.Contains(t, out, "Procfile")
		assert.Contains(t, out, "go.mod")
		assert.Contains(t, out, "package.json")
	})
}
