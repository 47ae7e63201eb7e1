// Package api holds the wire format of Quayside's HTTP API (the JSON bodies
// of /api/v1) and a client for it. The server in package ui and the CLI in
// cmd/quayside both speak these types.
package api
