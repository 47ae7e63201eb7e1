package install

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/testenv"
)

func TestScriptIsEmbedded(t *testing.T) {
	file, err := os.ReadFile("install.sh")
	require.NoError(t, err)
	assert.Equal(t, file, Script, "Script must be install.sh byte for byte")
	assert.True(t, bytes.HasPrefix(Script, []byte("#!/bin/sh\n")), "install.sh must start with #!/bin/sh")
	assert.Contains(t, string(Script), "\nset -eu\n")
}

// TestShellcheck runs shellcheck as POSIX sh on the installer. CI installs
// shellcheck; elsewhere the test is skipped without it.
func TestShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		testenv.RequireOrSkip(t, "shellcheck is not installed (apt-get install shellcheck); CI runs this test")
	}
	out, err := exec.Command("shellcheck", "-s", "sh", "install.sh").CombinedOutput()
	assert.NoError(t, err, "shellcheck -s sh install.sh:\n%s", out)
}

// TestScriptArguments runs the script on this machine with arguments that
// stop it before it looks at the system: help, and bad command lines.
func TestScriptArguments(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // in standard output
		wantErr  string // in standard error
	}{
		{"help", []string{"--help"}, 0, "Usage: sudo sh install.sh [options]", ""},
		{"short help", []string{"-h"}, 0, "QUAYSIDE_BINARY=/path", ""},
		{"unknown option", []string{"--frobnicate"}, 1, "", "unknown option --frobnicate"},
		{"flag without its value", []string{"--domain"}, 1, "", "--domain needs a value, for example: --domain example.com"},
		{"purge without uninstall", []string{"--purge"}, 1, "", "--purge goes with --uninstall"},
		{"join without its value", []string{"--join"}, 1, "", "--join needs the arguments"},
		{"join without a token", []string{"--join", "10.0.0.1:2377"}, 1, "", "they hold --token"},
		{"join with a domain", []string{"--domain", "example.com", "--join", "--token SWMTKN-1-a 10.0.0.1"}, 1, "", "leave out --domain"},
		{"join with shell in it", []string{"--join", "--token SWMTKN-1-a 10.0.0.1; rm -rf /"}, 1, "", "characters join-command never prints"},
		{"join with a glob", []string{"--join=--token SWMTKN-1-a *"}, 1, "", "characters join-command never prints"},
		{"join help", []string{"--help"}, 0, "--join 'ARGS'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("sh", append([]string{"install.sh"}, tt.args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantCode, code, "stderr: %s", stderr.String())
			assert.Contains(t, stdout.String(), tt.wantOut)
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}
