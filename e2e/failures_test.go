package e2e

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watchTraffic requests app's / until stop is closed and reports every body
// that is not want (a failed request counts as "").
func (s *server) watchTraffic(app, want string) (stop func() []string) {
	var mu sync.Mutex
	var bad []string
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var n atomic.Int64
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			code, body, err := s.get(app, "/")
			n.Add(1)
			if err != nil || code != http.StatusOK || body != want {
				mu.Lock()
				bad = append(bad, body)
				mu.Unlock()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() []string {
		close(done)
		wg.Wait()
		s.t.Logf("watched %d requests to %s", n.Load(), app)
		return bad
	}
}

func TestFailedReleasesNeverTakeTraffic(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "good")
	s.mustPush(repo, "app")
	s.mustCLI("checks", "set", "app", "--timeout", "4s")

	cases := []struct {
		name, dockerfileEnv, wantOut string
	}{
		{"crash on boot", "ENV CRASH_ON_BOOT=1", "crashing on boot as asked"},
		{"failing health check", "ENV UNHEALTHY=1", "did not pass its health check (GET /) within 4s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\n"+c.dockerfileEnv+"\nCMD [\"/sampleapp\"]\n")
			writeFile(t, repo, "message.txt", "bad")
			commitAll(t, repo, c.name)
			stop := s.watchTraffic("app", "good")
			out, err := s.push(repo, "app")
			assert.Empty(t, stop(), "every request during the failed deploy was answered by the old release")
			require.Error(t, err)
			assert.Contains(t, out, "! [remote rejected]")
			assert.Contains(t, out, c.wantOut)
			assert.Equal(t, "good", s.body("app", "/"))
			assert.Len(t, s.containers("app"), 1, "the failed release's container is removed")
			gitIn(t, repo, "reset", "-q", "--hard", "HEAD~1")
		})
	}
	rels := s.mustCLI("releases", "app")
	assert.Contains(t, rels, "failed")
	assert.Contains(t, rels, "v1 *")
}

func TestBuildFailureRejectsPush(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "good")
	s.mustPush(repo, "app")

	writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY no-such-file /x\n")
	commitAll(t, repo, "broken")
	out, err := s.push(repo, "app")
	require.Error(t, err)
	assert.Contains(t, out, "Push rejected")
	assert.Contains(t, out, "no-such-file")
	assert.Equal(t, "good", s.body("app", "/"))
	assert.Equal(t, gitIn(t, repo, "rev-parse", "HEAD~1"), s.deployedCommit("app"), "the ref did not move")

	t.Run("no Dockerfile names what Quayside accepts", func(t *testing.T) {
		gitIn(t, repo, "rm", "-q", "Dockerfile")
		commitAll(t, repo, "no dockerfile")
		out, err := s.push(repo, "app")
		require.Error(t, err)
		assert.Contains(t, out, "no buildpack of the builder quayside/builder:offline recognised this app")
		assert.Contains(t, out, "Or use a Dockerfile at the root of the repository")
	})
}

func TestPushInputIsChecked(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "x")
	cases := []struct{ app, want string }{
		{"Bad_Name", "is not valid"},
		{"quayside", "is reserved"},
		{"../etc", `repository path "/../etc.git" is not valid`},
		{"a/b", `repository path "/a/b.git" is not valid`},
		{"a234567890123456789012345678901", "the limit is 30"},
	}
	for _, c := range cases {
		out, err := s.push(repo, c.app)
		require.Error(t, err, c.app)
		assert.Contains(t, out, c.want, c.app)
	}
	out, err := s.push(repo, "app", "HEAD:refs/heads/dev")
	require.Error(t, err)
	assert.Contains(t, out, `deploys from branch "main"`)
	out, err = s.push(repo, "app", "HEAD:refs/tags/v1")
	require.Error(t, err)
	assert.Contains(t, out, "tag")
	assert.Empty(t, s.containers("app"))
}

func TestProxyPages(t *testing.T) {
	s := startServer(t)
	code, body, err := s.get("nobody", "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code)
	assert.NotContains(t, body, "nobody")
	s.mustCLI("apps", "create", "empty")
	code, _, err = s.get("empty", "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, code)
}
