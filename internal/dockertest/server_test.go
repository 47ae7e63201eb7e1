package dockertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompileServer(t *testing.T) {
	dir := t.TempDir()
	path, err := CompileServer(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "server"), path)

	t.Run("prints lines and exits with the code asked", func(t *testing.T) {
		out, err := exec.Command(path, "-lines", "2", "-exit", "3", "-token", "x").Output()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 3, exit.ExitCode())
		assert.Equal(t, "line 1\nline 2\nexiting with 3\n", string(out))
	})
	t.Run("prints env, stderr and a line after sleeping, in order", func(t *testing.T) {
		cmd := exec.Command(path, "-print-env", "GREETING,UNSET,", "-stderr", "oops", "-lines", "1",
			"-sleep", "10ms", "-after", "done", "-exit", "0")
		cmd.Env = []string{"GREETING=hi there"}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err)
		assert.Equal(t, "GREETING=hi there\nUNSET=\nline 1\ndone\nexiting with 0\n", string(out))
		assert.Equal(t, "oops\n", stderr.String())
	})
	t.Run("is static", func(t *testing.T) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "/lib64/ld-linux", "no dynamic loader: it runs FROM scratch")
	})
	t.Run("rejects an unknown flag", func(t *testing.T) {
		err := exec.Command(path, "-nosuchflag").Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode())
	})
}

func TestCompileServerBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := CompileServer(file)
	assert.ErrorContains(t, err, "compile test server")
}

func TestServerBinary(t *testing.T) {
	b, err := ServerBinary()
	require.NoError(t, err)
	assert.Equal(t, "\x7fELF", string(b[:4]))
}
