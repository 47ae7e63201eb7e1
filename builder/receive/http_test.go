package receive

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// httpRemote serves h's pushes over HTTP as the control host does after
// authenticating: every request carries the identity of "ann@x.io".
func httpRemote(t *testing.T, h *harness) string {
	t.Helper()
	handler := h.srv.HTTPHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := engine.WithIdentity(r.Context(), engine.Identity{Name: "ann@x.io", User: "ann@x.io", Role: engine.RoleDeveloper, Via: "https"})
		handler.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPushOverHTTP(t *testing.T) {
	t.Parallel()

	t.Run("a push deploys as the caller and the ref moves", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		head := h.mustGit("rev-parse", "HEAD")
		out, err := h.git("push", url+"/myapp.git", "main")
		require.NoError(t, err, out)
		assert.Contains(t, out, "remote: Deployed "+head[:7])
		assert.Equal(t, head, h.remoteRef("myapp", "refs/heads/main"))
		reqs := h.deployer.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "ann@x.io", reqs[0].Author, "the author is the authenticated identity")
		assert.Contains(t, h.deployer.prepared, "myapp by ann@x.io")
	})

	t.Run("a push above git's 1 MiB post buffer", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		big := make([]byte, 3<<20) // random: git cannot compress it below the buffer
		_, _ = rand.Read(big)
		require.NoError(t, os.WriteFile(filepath.Join(h.work, "big.bin"), big, 0o644))
		h.mustGit("add", "big.bin")
		h.mustGit("commit", "--quiet", "-m", "big")
		head := h.mustGit("rev-parse", "HEAD")
		out, err := h.git("push", url+"/myapp.git", "main")
		require.NoError(t, err, out)
		assert.Equal(t, head, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("a refused caller is told before sending anything", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		h.deployer.setPrepareErr(engine.Errorf(engine.EFORBIDDEN, "viewers may not push to myapp"))
		out, err := h.git("push", url+"/myapp.git", "main")
		require.Error(t, err)
		assert.Contains(t, out, "remote error: viewers may not push to myapp")
		assert.Empty(t, h.deployer.requests(), "nothing was deployed")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("a rejected deploy leaves the ref where it was", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		h.deployer.setOnPush(func(_ context.Context, _ engine.PushRequest) (*engine.Release, error) {
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "build failed")
		})
		out, err := h.git("push", url+"/myapp.git", "main")
		require.Error(t, err)
		assert.Contains(t, out, "remote: ! Push rejected: build failed")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("clone and fetch are refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		out, err := h.git("push", url+"/myapp.git", "main")
		require.NoError(t, err, out)
		out, err = h.git("clone", url+"/myapp.git", filepath.Join(t.TempDir(), "copy"))
		require.Error(t, err)
		assert.Contains(t, out, "403")
		assert.NoDirExists(t, filepath.Join(t.TempDir(), "copy", ".git"))
		out, err = h.git("ls-remote", url+"/myapp.git")
		require.Error(t, err)
		assert.NotContains(t, out, "refs/heads/main")
	})

	t.Run("a repository path that is not an app", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		url := httpRemote(t, h)
		for _, path := range []string{"/a/b.git", "/.x.git", "/a%5Cb.git", "/%0a.git"} {
			out, err := h.git("push", url+path, "main")
			require.Error(t, err, path)
			assert.NotContains(t, out, "Deployed", path)
		}
		assert.Empty(t, h.deployer.requests())
		entries, _ := os.ReadDir(h.cfg.ReposDir)
		assert.Empty(t, entries, "no repository was made")
	})
}
