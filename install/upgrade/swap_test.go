package upgrade

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestSwapInKeepsPrevious(t *testing.T) {
	u := installed(t, nil)
	before := inode(t, u.Bin)
	tmp := filepath.Join(filepath.Dir(u.Bin), ".quayside-upgrade-1")
	require.NoError(t, os.WriteFile(tmp, fakeBinary("v2"), 0o755))
	require.NoError(t, u.swapIn(tmp))
	assert.Equal(t, before, inode(t, u.Previous()), "the previous binary is the same file, linked, never copied")
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Bin))
	assert.NoFileExists(t, tmp, "renamed over the binary")

	// A second swap replaces the old .previous.
	require.NoError(t, os.WriteFile(tmp, fakeBinary("v3"), 0o755))
	require.NoError(t, u.swapIn(tmp))
	assert.Equal(t, "quayside v2 (test)", versionOf(t, u.Previous()))
	noStrays(t, u)
}

func TestSwapInRefusesUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	u := installed(t, nil)
	dir := filepath.Dir(u.Bin)
	tmp := filepath.Join(t.TempDir(), "new")
	require.NoError(t, os.WriteFile(tmp, fakeBinary("v2"), 0o755))
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	err := u.swapIn(tmp)
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "run the upgrade as root")
	assert.Equal(t, "quayside v1 (test)", versionOf(t, u.Bin))
}

func TestRollbackRefusesPreviousThatDoesNotRun(t *testing.T) {
	u := installed(t, nil)
	require.NoError(t, os.WriteFile(u.Previous(), []byte("\x7fELF garbage"), 0o755))
	err := u.Rollback(t.Context())
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Equal(t, "quayside v1 (test)", versionOf(t, u.Bin), "the binary stays")
}

func TestRestartService(t *testing.T) {
	var out bytes.Buffer
	u := installed(t, nil)
	u.Out = &out
	require.NoError(t, u.restartService(t.Context(), "quayside v2"))
	assert.Contains(t, out.String(), "Restart the daemon to run quayside v2", "without --restart it says what to do")

	defer func(f func() bool) { systemdRunning = f }(systemdRunning)
	systemdRunning = func() bool { return false }
	out.Reset()
	u.Restart = true
	require.NoError(t, u.restartService(t.Context(), "quayside v2"))
	assert.Contains(t, out.String(), "not running under systemd here")
}
