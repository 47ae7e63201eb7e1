package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exitStatus runs a CLI command that must fail and returns its exit status and output.
func (s *server) exitStatus(args ...any) (int, string) {
	s.t.Helper()
	out, err := s.cli(args...)
	var ee *exec.ExitError
	require.ErrorAs(s.t, err, &ee, "quayside %v should fail:\n%s", args, out)
	return ee.ExitCode(), out
}

func TestCLIInputIsChecked(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "x"), "app")
	cases := []struct {
		args []any
		code int
		want string
	}{
		{[]any{"config", "set", "app", "1BAD=x"}, 2, "not a valid environment variable name"},
		{[]any{"config", "set", "app", "PORT=1"}, 2, "PORT is set by Quayside"},
		{[]any{"config", "set", "app", "NOEQUALS"}, 2, "is not KEY=value"},
		{[]any{"config", "set", "app", "BIG=" + strings.Repeat("v", 40000)}, 2, "the limit is 32768"},
		{[]any{"config", "unset", "app", "NOPE"}, 2, "is not set"},
		{[]any{"config", "set", "nope", "A=1"}, 3, `app "nope" not found`},
		{[]any{"rollback", "app", "v9"}, 3, "release 9"},
		{[]any{"rollback", "app", "v1"}, 2, "already the current release"},
		{[]any{"rollback", "app", "banana"}, 2, "is not a release"},
		{[]any{"apps", "create", "Bad_Name"}, 2, "is not valid"},
		{[]any{"apps", "create", "app"}, 4, "already exists"},
		{[]any{"apps", "destroy", "app", "--confirm", "other"}, 2, "confirm with the app's name"},
		{[]any{"checks", "set", "app", "--path", "no-slash"}, 2, "must start with /"},
		{[]any{"keys", "add", "bad key", stdin(pubKey)}, 2, "not valid"},
		{[]any{"keys", "add", "k2", stdin("ssh-ed25519 garbage")}, 2, "not an SSH public key"},
		{[]any{"keys", "add", "k3", stdin("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")}, 2, "this is a private key"},
		{[]any{"keys", "add", "dup", stdin(pubKey)}, 4, "already"},
		{[]any{"keys", "remove", "nobody"}, 3, "not found"},
	}
	for _, c := range cases {
		code, out := s.exitStatus(c.args...)
		assert.Equal(t, c.code, code, "%v: %s", c.args[:2], out)
		assert.Contains(t, out, c.want, "%v", c.args[:2])
	}
	assert.Contains(t, s.mustCLI("releases", "app"), "v1 *", "nothing changed")
}

func TestKeysControlWhoMayPush(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "x")
	s.mustCLI("keys", "remove", "tester")
	out, err := s.push(repo, "app")
	require.Error(t, err)
	assert.Contains(t, out, "Permission denied")
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	s.mustPush(repo, "app")
	assert.Contains(t, s.mustCLI("keys"), "tester")
}

func TestNoDaemonIsAClearError(t *testing.T) {
	s := &server{t: t, data: t.TempDir()}
	code, out := s.exitStatus("apps")
	assert.Equal(t, 6, code)
	assert.Contains(t, out, "no Quayside daemon")
}

func TestPushSizeLimit(t *testing.T) {
	s := startServer(t, "--max-push-size", "1MiB")
	out, err := s.push(sampleRepo(t, "x"), "app")
	require.Error(t, err)
	assert.Contains(t, out, "exceeds maximum allowed size")
	assert.Empty(t, s.containers("app"))
}

func TestServerFlagsAreChecked(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--domain", "Not A Domain"}, "is not usable"},
		{[]string{"--http-addr", "nonsense"}, "is not host:port"},
		{[]string{"--max-push-size", "lots"}, "is not a size"},
	} {
		cmd := exec.Command(quaysideBin, append([]string{"server", "--data", t.TempDir()}, c.args...)...)
		out, err := cmd.CombinedOutput()
		require.Error(t, err)
		assert.Contains(t, string(out), c.want)
	}
}
