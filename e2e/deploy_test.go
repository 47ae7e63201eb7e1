package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeployLifecycle walks one app through what a team does with it:
// first deploy, redeploy, config change, rollback, and destroy.
func TestDeployLifecycle(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "one")

	out := s.mustPush(repo, "hello")
	assert.Contains(t, out, "remote: -----> Building hello v1")
	assert.Contains(t, out, "Released v1: http://hello.localhost:"+port(s.httpAddr))
	assert.Equal(t, "one", s.body("hello", "/"))

	writeFile(t, repo, "message.txt", "two")
	commitAll(t, repo, "second")
	out = s.mustPush(repo, "hello")
	assert.Contains(t, out, "Released v2")
	assert.Equal(t, "two", s.body("hello", "/"))
	assert.Len(t, s.containers("hello"), 1, "the old release's container is gone")

	out = s.mustCLI("config", "set", "hello", "GREETING=!")
	assert.Contains(t, out, "Released v3")
	assert.Equal(t, "two!", s.body("hello", "/"))
	assert.Equal(t, "5000", s.body("hello", "/env?k=PORT"))
	assert.Contains(t, s.mustCLI("config", "hello"), "GREETING")
	assert.NotContains(t, s.mustCLI("config", "hello"), "!", "values are masked")
	assert.Equal(t, "!\n", s.mustCLI("config", "get", "hello", "GREETING"))

	out = s.mustCLI("rollback", "hello", "v1")
	assert.Contains(t, out, "Released v4")
	assert.Equal(t, "one", s.body("hello", "/"), "v1's image and v1's (empty) config")

	out = s.mustCLI("rollback", "hello")
	assert.Contains(t, out, "Rolling back hello to v3")
	assert.Equal(t, "two!", s.body("hello", "/"))

	rels := s.mustCLI("releases", "hello")
	for _, want := range []string{"v5 *", "Rollback to v3", "Set GREETING", "tester", "active", "retired"} {
		assert.Contains(t, rels, want)
	}

	_, err := s.cli("apps", "destroy", "hello")
	require.Error(t, err, "destroy needs --confirm")
	s.mustCLI("apps", "destroy", "hello", "--confirm", "hello")
	code, _, err := s.get("hello", "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Empty(t, s.containers("hello"))
	assert.NotContains(t, s.mustCLI("apps"), "hello")
}

func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }
