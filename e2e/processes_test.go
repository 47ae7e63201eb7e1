package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleProcfile = "web: /sampleapp\nworker: /sampleapp worker\nrelease: /sampleapp release\n"

// TestProcfileProcessesOfADockerfileApp covers process types, scale, the
// release phase and one-off runs for an app built from its Dockerfile.
func TestProcfileProcessesOfADockerfileApp(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "v1")
	writeFile(t, repo, "Procfile", sampleProcfile)
	commitAll(t, repo, "procfile")

	out := s.mustPush(repo, "app")
	assert.Contains(t, out, "Running the release command of v1: /sampleapp release")
	assert.Contains(t, out, "release phase ran")
	assert.Contains(t, out, "Not running (scale 0): worker")
	assert.Equal(t, "v1", s.body("app", "/"))

	out = s.mustCLI("ps", "scale", "app", "web=2", "worker=1")
	assert.Contains(t, out, "app now runs web=2 worker=1")
	ps := s.mustCLI("ps", "app")
	for _, want := range []string{"web.1", "web.2", "worker.1", "running"} {
		assert.Contains(t, ps, want)
	}

	t.Run("web=2 spreads requests over both replicas", func(t *testing.T) {
		seen := map[string]bool{}
		for range 20 {
			seen[s.body("app", "/whoami")] = true
		}
		assert.Len(t, seen, 2)
	})
	t.Run("the worker runs and prints", func(t *testing.T) {
		waitFor(t, 10*time.Second, "worker output", func() bool {
			return strings.Contains(s.processLogs("app", "worker"), "worker tick 2")
		})
	})
	t.Run("scale survives a deploy", func(t *testing.T) {
		writeFile(t, repo, "message.txt", "v2")
		commitAll(t, repo, "v2")
		s.mustPush(repo, "app")
		assert.Equal(t, "v2", s.body("app", "/"))
		ps := s.mustCLI("ps", "app")
		assert.Equal(t, 2, strings.Count(ps, "web."))
		assert.Equal(t, 1, strings.Count(ps, "worker."))
	})
	t.Run("a failing release command rejects the deploy", func(t *testing.T) {
		code, out := s.exitStatus("config", "set", "app", "RELEASE_EXIT=4")
		assert.Equal(t, 7, code)
		assert.Contains(t, out, "the release command exited with code 4")
		assert.Equal(t, "v2", s.body("app", "/"), "the old release serves")
	})
	t.Run("run returns the command's exit code", func(t *testing.T) {
		out, err := s.cli("run", "app", "--", "/sampleapp", "exit", "5")
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, 5, ee.ExitCode())
		assert.Contains(t, out, "one-off [5]")
		assert.Equal(t, "one-off [0]\n", s.mustCLI("run", "app", "--", "/sampleapp", "exit", "0"))
		code, out := s.exitStatus("run", "app", "--", "/no/such/command")
		assert.NotZero(t, code)
		assert.Contains(t, out, "/no/such/command")
	})
	t.Run("bad scale requests change nothing", func(t *testing.T) {
		for _, args := range [][]any{{"ps", "scale", "app", "wrker=1"}, {"ps", "scale", "app", "web=-1"}, {"ps", "scale", "app", "web=500"}, {"ps", "scale", "app", "web"}} {
			code, out := s.exitStatus(args...)
			assert.Equal(t, 2, code, "%v: %s", args, out)
		}
		assert.Equal(t, 2, strings.Count(s.mustCLI("ps", "app"), "web."))
	})
	t.Run("a bad Procfile rejects the push with its line", func(t *testing.T) {
		writeFile(t, repo, "Procfile", "web: /sampleapp\nworker /sampleapp worker\n")
		commitAll(t, repo, "bad procfile")
		out, err := s.push(repo, "app")
		require.Error(t, err)
		assert.Contains(t, out, "Procfile line 2: expected `type: command`")
	})
}

// processLogs returns what the app's containers of one process type printed.
func (s *server) processLogs(app, process string) string {
	ids := lines(exec.Command("docker", "ps", "-q",
		"--filter", "label=io.quayside.instance="+s.instance,
		"--filter", "label=io.quayside.app="+app,
		"--filter", "label=io.quayside.process="+process).Output())
	var b strings.Builder
	for _, id := range ids {
		out, _ := exec.Command("docker", "logs", id).CombinedOutput()
		b.Write(out)
	}
	return b.String()
}
