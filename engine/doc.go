// Package engine is the deploy domain of Quayside: apps, releases, config
// versions, deploys, rollbacks, and the reconciler that keeps what runs equal
// to what the store says should run.
//
// It imports only the standard library. Everything it needs from the outside
// world (a database, a container runtime, an image builder, a reverse proxy)
// it names as a small interface in this package; the packages store, proxy,
// builder and engine/docker implement those interfaces and cmd/quayside wires
// them together.
package engine
