package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreviews pushes a branch with the real git client: its preview answers
// at its own host with the preview config and without production-only keys
// while production is untouched; a second push replaces it without a failed
// request; --max refuses one more; deleting the branch leaves nothing of it.
func TestPreviews(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "prod")
	s.mustPush(repo, "shop")
	s.mustCLI("config", "set", "shop", "--production-only", "STRIPE_KEY=sk_live")
	s.mustCLI("config", "set", "shop", "SHARED=both")
	s.mustCLI("config", "set", "shop", "--previews", "DEBUG=1")
	out, err := s.push(repo, "shop", "HEAD:refs/heads/feature/login")
	require.Error(t, err, "previews are off: today's refusal")
	assert.Contains(t, out, `deploys from branch "main"`)
	s.mustCLI("previews", "enable", "shop", "--max", "2")

	gitIn(t, repo, "checkout", "-q", "-b", "feature/login")
	writeFile(t, repo, "message.txt", "preview1")
	commitAll(t, repo, "preview one")
	out, err = s.push(repo, "shop", "HEAD:refs/heads/feature/login")
	require.NoError(t, err, "git push:\n%s\ndaemon:\n%s", out, s.logs.String())
	assert.Contains(t, out, "Preview of branch feature/login: http://shop--feature-login.localhost")
	const preview = "shop--feature-login"
	assert.Equal(t, "preview1", s.body(preview, "/"))
	assert.Equal(t, "prod", s.body("shop", "/"), "production is untouched")
	assert.Equal(t, "", s.body(preview, "/env?k=STRIPE_KEY"), "no production-only key in a preview")
	assert.Equal(t, "1", s.body(preview, "/env?k=DEBUG"))
	assert.Equal(t, "both", s.body(preview, "/env?k=SHARED"))
	assert.Equal(t, "sk_live", s.body("shop", "/env?k=STRIPE_KEY"))
	assert.Equal(t, "", s.body("shop", "/env?k=DEBUG"))

	t.Run("a second push updates it with zero downtime", func(t *testing.T) {
		var failed, served atomic.Int64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _, err := s.get(preview, "/"); err != nil || code != http.StatusOK {
					failed.Add(1)
				} else {
					served.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		writeFile(t, repo, "message.txt", "preview2")
		commitAll(t, repo, "preview two")
		out, err := s.push(repo, "shop", "HEAD:refs/heads/feature/login")
		close(stop)
		<-done
		require.NoError(t, err, out)
		assert.Equal(t, "preview2", s.body(preview, "/"))
		assert.Zero(t, failed.Load(), "requests failed during the update (%d served)", served.Load())
	})

	t.Run("list", func(t *testing.T) {
		var l struct {
			Settings struct{ Max int }
			Previews []struct{ Name, Branch, Commit, URL string }
		}
		require.NoError(t, json.Unmarshal([]byte(s.mustCLI("previews", "list", "shop", "--json")), &l))
		require.Len(t, l.Previews, 1)
		assert.Equal(t, 2, l.Settings.Max)
		assert.Equal(t, "feature/login", l.Previews[0].Branch)
		assert.Equal(t, gitIn(t, repo, "rev-parse", "HEAD"), l.Previews[0].Commit)
		assert.Contains(t, s.mustCLI("previews", "list"), "feature/login")
	})

	t.Run("max refuses one more", func(t *testing.T) {
		s.mustPushRef(repo, "shop", "HEAD:refs/heads/two")
		out, err := s.push(repo, "shop", "HEAD:refs/heads/three")
		require.Error(t, err)
		assert.Contains(t, out, "has 2 previews, its maximum")
		assert.Contains(t, out, "git push quayside --delete feature/login")
		code, _, err := s.get("shop--three", "/")
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, code)
	})

	t.Run("deleting the branch leaves nothing", func(t *testing.T) {
		out, err := s.push(repo, "shop", "--delete", "feature/login")
		require.NoError(t, err, out)
		code, _, err := s.get(preview, "/")
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, code)
		assert.Empty(t, dockerOut(t, "ps", "-aq", "--filter", "name=qs-"+s.instance+"-"+preview), "containers left")
		assert.Empty(t, dockerOut(t, "network", "ls", "-q", "--filter", "name=qs-"+s.instance+"-"+preview), "network left")
		assert.Empty(t, dockerOut(t, "image", "ls", "-q", "--filter", "reference=qs-"+s.instance+"/"+preview), "images left")
		assert.Empty(t, dockerOut(t, "volume", "ls", "-q", "--filter", "name=qs-"+s.instance+"-"+preview), "volumes left")
		_, err = os.Stat(filepath.Join(s.data, "logs", preview))
		assert.True(t, os.IsNotExist(err), "log history left")
		assert.NotContains(t, s.mustCLI("previews", "list", "shop"), "feature/login")
		assert.Contains(t, s.mustCLI("events", "shop"), "preview.destroyed")
		assert.Equal(t, "prod", s.body("shop", "/"))
		out, err = s.push(repo, "shop", "--delete", "main")
		require.Error(t, err, "the deploy branch stays")
		assert.Contains(t, out, "deploy branch of shop and cannot be deleted")
	})

	t.Run("--auth puts basic auth in front of every preview", func(t *testing.T) {
		out := s.mustCLI("previews", "enable", "shop", "--max", "2", "--auth", "--auth-password", "hunter2hunter2")
		assert.Contains(t, out, "basic auth as preview")
		code, _, err := s.get("shop--two", "/")
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, code)
		req, err := http.NewRequest(http.MethodGet, "http://"+s.httpAddr+"/", nil)
		require.NoError(t, err)
		req.Host = "shop--two." + s.domain
		req.SetBasicAuth("preview", "hunter2hunter2")
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "prod", s.body("shop", "/"), "production keeps no auth")
	})
}

// TestPreviewTTL: a preview not pushed for longer than its TTL is destroyed
// by the daemon, with an event.
func TestPreviewTTL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "prod")
	s.mustPush(repo, "shop")
	s.mustCLI("previews", "enable", "shop", "--ttl", "2s")
	s.mustPushRef(repo, "shop", "HEAD:refs/heads/short")
	waitFor(t, 30*time.Second, "the preview to expire", func() bool {
		return strings.Contains(s.mustCLI("events", "shop"), "preview.expired")
	})
	code, _, err := s.get("shop--short", "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Empty(t, dockerOut(t, "ps", "-aq", "--filter", "name=qs-"+s.instance+"-shop--short"), "containers left")
	assert.Equal(t, "prod", s.body("shop", "/"))
	assert.False(t, strings.Contains(s.mustCLI("previews", "list", "shop"), "short"))
}

func (s *server) mustPushRef(repo, app, refspec string) {
	s.t.Helper()
	out, err := s.push(repo, app, refspec)
	require.NoError(s.t, err, "git push %s:\n%s\ndaemon:\n%s", refspec, out, s.logs.String())
}
