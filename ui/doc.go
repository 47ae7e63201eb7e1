// Package ui is Quayside's HTTP face for people and programs: the JSON API
// under /api/v1 (served on the daemon's control socket, and later on the
// control host), built with labstack/echo on top of the engine.
//
// Errors from the engine become HTTP statuses in exactly one place
// (errors.go). Long operations such as deploys stream their progress as
// newline-delimited JSON (see api.StreamEvent).
package ui
