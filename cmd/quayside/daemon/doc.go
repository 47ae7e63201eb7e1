// Package daemon is `quayside server` without its flags: it wires every
// part of a Quayside server (the store, Docker, the builders, the engine,
// the git server, the proxy and its certificates, the API and dashboard,
// metrics and alerts) and serves until its context ends.
//
// It is wiring, and sits in cmd for that reason: it is the one place that
// imports the siblings together. cmd/quayside parses and checks the server
// flags into a Config; Open builds the parts, Serve runs them and Close
// releases them.
package daemon
