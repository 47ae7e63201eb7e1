package pebbletest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

const pebbleModule = "github.com/letsencrypt/pebble/v2"

var built struct {
	once          sync.Once
	pebble, chall string
	err           error
}

// binaries returns the paths of the pebble and pebble-challtestsrv binaries,
// building them the first time a process asks.
func binaries(t testing.TB) (pebble, chall string) {
	t.Helper()
	built.once.Do(func() { built.pebble, built.chall, built.err = build() })
	require.NoError(t, built.err, "build pebble")
	return built.pebble, built.chall
}

// build compiles both commands of the Pebble version go.mod requires into a
// cache directory named after that version, unless they are already there.
func build() (pebble, chall string, err error) {
	version, err := moduleVersion()
	if err != nil {
		return "", "", err
	}
	dir, err := cacheDir(version)
	if err != nil {
		return "", "", err
	}
	pebble = filepath.Join(dir, "pebble")
	chall = filepath.Join(dir, "pebble-challtestsrv")
	for _, bin := range []string{pebble, chall} {
		if err := buildOne(bin); err != nil {
			return "", "", err
		}
	}
	return pebble, chall, nil
}

func moduleVersion() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", pebbleModule).Output()
	if err != nil {
		return "", fmt.Errorf("find pebble version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func cacheDir(version string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "quayside-pebbletest", version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make pebble cache dir: %w", err)
	}
	return dir, nil
}

// buildOne builds the command named like bin's base name unless bin exists.
// It writes a temporary file and renames it, so concurrent test processes
// never run a half-written binary.
func buildOne(bin string) error {
	if _, err := os.Stat(bin); err == nil {
		return nil
	}
	tmp := fmt.Sprintf("%s.tmp-%d", bin, os.Getpid())
	pkg := pebbleModule + "/cmd/" + filepath.Base(bin)
	out, err := exec.Command("go", "build", "-o", tmp, pkg).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return fmt.Errorf("install %s: %w", bin, err)
	}
	return nil
}
