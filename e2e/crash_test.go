package e2e

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/syncbuf"
)

// TestKillMidDeploy kills the daemon with SIGKILL at several moments of a
// deploy, restarts it, and checks that exactly one release serves, that it
// is the one the store calls current, and that no container is left over.
func TestKillMidDeploy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// until says when to kill: once the push output contains it.
		until string
		// newServes says whether the new release must serve after the restart.
		newServes bool
	}{
		{"while building", "Step 2/", false},
		{"while the new release boots", "Waiting for", false},
		{"while draining the old release", "Draining", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			repo := sampleRepo(t, "old")
			s.mustPush(repo, "app")
			s.mustCLI("checks", "set", "app", "--drain", "20s")

			writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nENV BOOT_DELAY_MS=1500\nCMD [\"/sampleapp\"]\n")
			writeFile(t, repo, "message.txt", "new")
			commitAll(t, repo, "new")
			// A slow request keeps the old release draining.
			go func() { _, _, _ = s.get("app", "/slow?ms=8000") }()

			out := s.pushUntil(repo, "app", c.until)
			s.stop(syscall.SIGKILL)
			t.Logf("killed after:\n%s", out)

			s.start()
			want := "old"
			if c.newServes {
				want = "new"
			}
			assert.Equal(t, want, s.body("app", "/"))
			assert.Len(t, s.containers("app"), 1, "one container, of the current release")
			rels := s.mustCLI("releases", "app")
			if !c.newServes {
				assert.Contains(t, rels, "interrupted")
				assert.Contains(t, rels, "v1 *")
			} else {
				assert.Contains(t, rels, "v2 *")
			}
			s.mustPush(repo, "app") // and it deploys again
			assert.Equal(t, "new", s.body("app", "/"))
		})
	}
}

// pushUntil starts a push and returns once its output contains marker.
func (s *server) pushUntil(repo, app, marker string) string {
	s.t.Helper()
	cmd := s.pushCommand(repo, app)
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(s.t, cmd.Start())
	s.t.Cleanup(func() { _ = cmd.Wait() })
	waitFor(s.t, 60*time.Second, "push output "+marker, func() bool {
		return strings.Contains(out.String(), marker)
	})
	return out.String()
}

func TestRestartKeepsServingAndHostKey(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "kept")
	s.mustPush(repo, "app")
	before := hostKey(t, s)

	s.stop(os.Interrupt)
	s.start()
	assert.Equal(t, "kept", s.body("app", "/"))
	assert.Equal(t, before, hostKey(t, s), "the SSH host key survives restarts")
	assert.Len(t, s.containers("app"), 1)
}

func hostKey(t *testing.T, s *server) string {
	t.Helper()
	host, p, _ := strings.Cut(s.sshAddr, ":")
	b, err := exec.Command("ssh-keyscan", "-t", "ed25519", "-p", p, host).Output()
	require.NoError(t, err)
	fields := strings.Fields(string(b))
	require.GreaterOrEqual(t, len(fields), 3, b)
	return fields[2]
}
