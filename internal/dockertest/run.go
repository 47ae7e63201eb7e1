package dockertest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// Main is the body of a TestMain: it calls run, which prepares the
// package's fixtures, runs the tests and cleans up, then exits with the
// tests' code. When run fails, Main prints "<suite>: <error>" to stderr and
// exits with 1.
func Main(suite string, run func() (int, error)) {
	code, err := run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", suite, err)
		os.Exit(1)
	}
	os.Exit(code)
}

// Ping checks that cli reaches a Docker daemon, which these tests need.
func Ping(ctx context.Context, cli client.APIClient) error {
	if _, err := cli.Ping(ctx); err != nil {
		return fmt.Errorf("these tests need a Docker daemon: %w", err)
	}
	return nil
}

// Context returns a context for one test that ends after timeout or when
// the test ends, whichever is first.
func Context(t testing.TB, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}
