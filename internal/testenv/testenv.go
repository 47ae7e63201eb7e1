// Package testenv decides what a test does when the machine lacks a tool
// or service it needs (a Docker daemon, the offline builder, openssl, root):
// on a developer's machine it skips, under CI=true it fails, so a CI host
// that lost the tool cannot pass by skipping. Skips that are a choice
// (-short, QUAYSIDE_BENCH) are not for this package: they stay t.Skip.
package testenv

import (
	"os"
	"strconv"
	"testing"
)

// InCI reports whether the tests run in CI: CI is set to a true value
// ("true", "1"), as CI services set it.
func InCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// RequireOrSkip stops the test because what it needs is missing: why says
// what and how to get it. Under CI=true the test fails (t.Fatal), elsewhere
// it is skipped.
func RequireOrSkip(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatal("CI=true and a test's requirement is missing: " + why)
		return // t.Fatal does not return; a recording testing.TB may
	}
	t.Skip(why)
}
