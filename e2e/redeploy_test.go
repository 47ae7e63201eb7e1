package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedeployAndRestartCommands runs quayside redeploy and quayside
// restart against the real binary and Docker: each streams its progress,
// builds nothing, drops no request, and a restart makes no release.
func TestRedeployAndRestartCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "hello")
	s.mustPush(repo, "shop")
	body := s.body("shop", "/")

	l := s.startLoad("shop", 2)
	out := s.mustCLI("redeploy", "shop")
	assert.Contains(t, out, "Deploying v2: Redeploy of v1")
	assert.Contains(t, out, "shop v2 is active: Redeploy of v1, no build.")
	assert.NotContains(t, out, "Building", "nothing is rebuilt")

	out = s.mustCLI("restart", "shop")
	assert.Contains(t, out, "Restarting the web containers of shop (v2)")
	assert.Contains(t, out, "Restarted shop: web")
	out = s.mustCLI("restart", "shop", "--process", "web")
	assert.Contains(t, out, "Restarting the web containers of shop (v2)")
	assert.Empty(t, l.stop(), "no request failed")
	assert.Equal(t, body, s.body("shop", "/"))
	assert.Len(t, s.releases("shop"), 2, "restarts make no release")

	out, err := s.cli("restart", "shop", "--process", "worker")
	require.Error(t, err)
	assert.Contains(t, out, `has no process type "worker"`)
	out, err = s.cli("redeploy", "nope")
	require.Error(t, err)
	assert.Contains(t, out, "nope")
	assert.NotContains(t, out, "Internal error")
}
