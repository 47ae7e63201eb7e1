// Package pebbletest is for tests only: it runs Let's Encrypt's Pebble ACME
// test server and its DNS companion pebble-challtestsrv on loopback, so the
// certificate code (package proxy/certs) is tested against a real CA speaking
// real ACME.
//
// [Start] builds both binaries with `go tool` (go.mod's tool directive pins
// the Pebble version; the Go build cache keeps them across runs), generates a TLS certificate for Pebble's API, starts
// both processes on free 127.0.0.1 ports and stops them on t.Cleanup.
// Pebble's validation DNS answers A 127.0.0.1 and no AAAA for every name, so
// challenges reach the system under test on the HTTP and TLS ports the test
// gives; [Server.SetDNS] points one name elsewhere. [Server.Orders] and
// [Server.Issued] count what Pebble did, parsed from its log, so a test can
// assert that nothing new was ordered.
//
// It imports testing and testify; no non-test code may import it.
package pebbletest
