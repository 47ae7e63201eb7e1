package dockertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ServerPackage is the import path of the test server: a static HTTP server
// that sleeps -pause, then prints NAME=value for each variable -print-env
// names (comma-separated), -stderr to stderr, -lines numbered lines
// ("line 1", ...), the bytes -raw spells as the body of a Go string literal
// (-raw 'a\x00\xff\n'), and LongLine(-long) and a newline; then keeps one
// CPU busy if -burn, sleeps -sleep, prints -after, exits with -exit when
// that is 0 or more, and otherwise serves "/" ("hello") and "/env?name=X"
// (the value of $X) on $PORT, default 8080.
const ServerPackage = "github.com/quayside/quayside/internal/dockertest/testserver"

// ServerDockerfile builds an image FROM scratch from a context holding the
// test server binary as "server": CMD ["/server"], EXPOSE 8080.
const ServerDockerfile = "FROM scratch\nCOPY server /server\nEXPOSE 8080\nCMD [\"/server\"]\n"

// CompileServer builds the test server statically (CGO_ENABLED=0) as
// dir/server and returns that path. It runs go build by import path, so the
// working directory must lie inside this module, as it does under go test.
func CompileServer(dir string) (path string, err error) {
	path = filepath.Join(dir, "server")
	cmd := exec.Command("go", "build", "-trimpath", "-o", path, ServerPackage)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compile test server: %v\n%s", err, out)
	}
	return path, nil
}

// ServerBinary compiles the test server in a temporary directory, which it
// removes, and returns the binary.
func ServerBinary() ([]byte, error) {
	dir, err := os.MkdirTemp("", "qs-dockertest-")
	if err != nil {
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	path, err := CompileServer(dir)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// LongLine is what the test server prints for -long n (without the
// newline): the decimal counters "00000000,00000001,..." cut at n bytes, so
// a test can tell whether pieces of it arrive in order.
func LongLine(n int) string {
	b := make([]byte, 0, n+9)
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%08d,", i)
	}
	return string(b[:n])
}
