package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/syncbuf"
)

// userKey makes an SSH key pair and returns the private key's path and the
// public key.
func userKey(t *testing.T, comment string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "id"), "-C", comment).CombinedOutput()
	require.NoError(t, err, "%s", out)
	pub, err := os.ReadFile(filepath.Join(dir, "id.pub"))
	require.NoError(t, err)
	return filepath.Join(dir, "id"), string(pub)
}

// pushWith is pushCommand authenticating with the private key at key.
func (s *server) pushWith(repo, app, key string) *exec.Cmd {
	cmd := s.pushCommand(repo, app)
	cmd.Env = append(cmd.Env, "GIT_SSH_COMMAND="+strings.Replace(sshCommand(), keyFile, key, 1))
	return cmd
}

// refOf is where app's deploy branch points, "" when it points nowhere.
func (s *server) refOf(app string) string {
	out, err := exec.Command("git", "--git-dir", filepath.Join(s.data, "repos", app+".git"), "rev-parse", "--verify", "-q", "refs/heads/main").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestAdminKeyStopsWithTheAdmin performs the attack with real git over
// SSH: an admin adds a key through the API with a token, pushes, and then
// is demoted, disabled and removed; each time the key no longer deploys.
func TestAdminKeyStopsWithTheAdmin(t *testing.T) {
	s := startServer(t)
	s.addUser("owner@example.test", "admin", "owner password 1")
	s.addUser("eve@example.test", "admin", "eve password 12")
	eve := s.remote()
	eve.login("eve@example.test", "eve password 12")
	key, pub := userKey(t, "eve")
	eve.must("keys", "add", "eves-laptop", stdin(pub))

	keys := s.mustCLI("keys")
	assert.Regexp(t, `eves-laptop\s+eve@example.test`, keys, "the key is eve's, not the server owner's")
	assert.Regexp(t, `tester\s+server owner`, keys, "the socket's key is the server owner's")

	repo := sampleRepo(t, "by eve")
	out, err := s.pushWith(repo, "shop", key).CombinedOutput()
	require.NoError(t, err, "eve deploys while she is an admin:\n%s", out)
	deployed := s.refOf("shop")
	require.NotEmpty(t, deployed)
	// A member of the app, so that only her role can refuse her.
	s.mustCLI("members", "add", "shop", "eve@example.test")

	attempt := func(step string) string {
		t.Helper()
		writeFile(t, repo, "message.txt", step)
		commitAll(t, repo, step)
		out, err := s.pushWith(repo, "shop", key).CombinedOutput()
		require.Error(t, err, "%s: the key still deploys:\n%s", step, out)
		assert.Equal(t, deployed, s.refOf("shop"), "%s: the ref did not move", step)
		assert.Equal(t, "by eve", s.body("shop", "/"))
		return string(out)
	}

	s.mustCLI("users", "role", "eve@example.test", "viewer")
	assert.Contains(t, attempt("demoted"), "your role (viewer) does not allow this")

	s.mustCLI("users", "role", "eve@example.test", "admin")
	s.mustCLI("users", "disable", "eve@example.test")
	assert.Contains(t, attempt("disabled"), "disabled")

	s.mustCLI("users", "enable", "eve@example.test")
	s.mustCLI("users", "remove", "eve@example.test", "--confirm", "eve@example.test")
	assert.Contains(t, attempt("removed"), "Permission denied (publickey)", "the key is unknown")
	assert.NotContains(t, s.mustCLI("keys"), "eves-laptop", "the key went with its user")
}

// TestPushStopsWhenPusherDisabled disables a developer while their push
// waits for the new release to answer, over SSH and over HTTP with a
// token: the push is rejected at once (over SSH with the reason), the ref
// does not move, and nothing of the release is left.
func TestPushStopsWhenPusherDisabled(t *testing.T) {
	for _, via := range []string{"ssh", "http"} {
		t.Run(via, func(t *testing.T) {
			s := startServer(t)
			s.addUser("dev@example.test", "developer", "developer password 1")
			s.mustCLI("apps", "create", "shop")
			s.mustCLI("members", "add", "shop", "dev@example.test")
			s.mustCLI("checks", "set", "shop", "--timeout", "3m")
			dev := s.remote()
			dev.login("dev@example.test", "developer password 1")

			repo := sampleRepo(t, "slow")
			// The release takes two minutes to answer: the push is in progress.
			writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nENV BOOT_DELAY_MS=120000\nEXPOSE 5000\nCMD [\"/sampleapp\"]\n")
			commitAll(t, repo, "slow")
			cmd := s.slowPush(t, dev, repo, via)
			var out syncbuf.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitFor(t, 90*time.Second, "the push to wait for the release", func() bool {
				return strings.Contains(out.String(), "Waiting for")
			})
			require.NotEmpty(t, s.containers("shop"), "the release's container runs")

			start := time.Now()
			s.mustCLI("users", "disable", "dev@example.test")
			select {
			case err := <-done:
				require.Error(t, err, "the push was rejected:\n%s", out.String())
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the push went on after its pusher was disabled:\n%s", out.String())
			}
			t.Logf("push stopped %s after the account was disabled", time.Since(start).Round(time.Millisecond))
			assert.Contains(t, out.String(), "your account was disabled")
			assert.Empty(t, s.refOf("shop"), "the ref did not move")
			waitFor(t, 60*time.Second, "the aborted release's containers to go", func() bool {
				return len(s.containers("shop")) == 0
			})
			assert.Contains(t, s.mustCLI("releases", "shop"), "failed")
			code, _, _ := s.get("shop", "/")
			assert.NotEqual(t, 200, code, "nothing of the push serves")
		})
	}
}

// slowPush is a push of repo to shop as dev: over SSH with a key dev adds,
// or over HTTP with a token dev creates.
func (s *server) slowPush(t *testing.T, dev *remoteCLI, repo, via string) *exec.Cmd {
	t.Helper()
	if via == "ssh" {
		key, pub := userKey(t, "dev")
		dev.must("keys", "add", "devs-laptop", stdin(pub))
		return s.pushWith(repo, "shop", key)
	}
	token := strings.TrimSpace(lastLine(dev.must("tokens", "create", "--name", "git")))
	_, port, _ := net.SplitHostPort(s.httpAddr)
	cmd := exec.Command("git", "push", fmt.Sprintf("http://git:%s@quayside.localhost:%s/shop.git", token, port), "HEAD:main")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	return cmd
}
