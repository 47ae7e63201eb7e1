package pebbletest

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var built struct {
	once          sync.Once
	pebble, chall string
	err           error
}

// binaries returns the paths of the pebble and pebble-challtestsrv binaries,
// building them the first time a process asks.
func binaries(t testing.TB) (pebble, chall string) {
	t.Helper()
	built.once.Do(func() {
		if built.pebble, built.err = toolPath("pebble"); built.err != nil {
			return
		}
		built.chall, built.err = toolPath("pebble-challtestsrv")
	})
	require.NoError(t, built.err, "build pebble")
	return built.pebble, built.chall
}

// toolPath returns the path of the executable of a tool that go.mod's tool
// directive names (the Pebble version go.mod requires). `go tool -n` builds
// it into the Go build cache unless it is there already (the cache is safe
// for concurrent test processes), and prints its path instead of running it.
func toolPath(name string) (string, error) {
	cmd := exec.Command("go", "tool", "-n", name)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		return "", fmt.Errorf("go tool -n %s: %w\n%s", name, err, msg)
	}
	return strings.TrimSpace(string(out)), nil
}
