package dockertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	t.Run("prints raw bytes and a long line", func(t *testing.T) {
		out, err := exec.Command(path, "-raw", `a\x00\xff\tb\n`, "-long", "20", "-exit", "0").Output()
		require.NoError(t, err)
		assert.Equal(t, "a\x00\xff\tb\n00000000,00000001,00\nexiting with 0\n", string(out))
	})
	t.Run("rejects a bad raw literal", func(t *testing.T) {
		err := exec.Command(path, "-raw", `\q`, "-exit", "0").Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode())
	})
	t.Run("pauses before printing", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(path, "-pause", "200ms", "-lines", "1", "-exit", "0").Output()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
		assert.Equal(t, "line 1\nexiting with 0\n", string(out))
	})
	t.Run("burns CPU", func(t *testing.T) {
		cmd := exec.Command(path, "-burn", "-sleep", "300ms", "-exit", "0")
		require.NoError(t, cmd.Run())
		used := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		assert.Greater(t, used, 50*time.Millisecond, "one goroutine spins while it sleeps")
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

func TestLongLine(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, ""},
		{5, "00000"},
		{9, "00000000,"},
		{22, "00000000,00000001,0000"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, LongLine(tt.n))
	}
	assert.Len(t, LongLine(100<<10), 100<<10)
}
