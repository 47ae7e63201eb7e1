// Package store keeps Quayside's state in one SQLite file through
// modernc.org/sqlite (pure Go, no cgo). It implements engine.Store: apps,
// releases, config versions, SSH keys and server settings.
//
// It sits beside the other adapters (engine/docker, builder, proxy): it
// speaks only engine types, imports no sibling package, and cmd/quayside
// wires it in. The database runs in WAL mode with foreign keys on,
// synchronous=FULL, a busy timeout, and write transactions that take the
// write lock when they begin. The schema comes from numbered SQL migrations
// embedded in the binary. Each public method runs in exactly one
// transaction, so no write is ever half done. Config values are secrets:
// each config version is stored as one AES-256-GCM blob bound to its app
// and version number.
package store
