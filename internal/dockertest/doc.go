// Package dockertest is for tests only: it holds what the Docker test suites
// (engine/docker, builder/dockerfile) share. It compiles the tiny test server
// (package testserver) for images built FROM scratch, builds such images,
// fetches URLs with retries, makes random ids, and removes what one Quayside
// instance made on the daemon. It imports testing and testify; no non-test
// code may import it.
package dockertest
