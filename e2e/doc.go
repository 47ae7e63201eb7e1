// Package e2e holds the end-to-end tests: they build the real quayside
// binary, start it as a daemon against the real Docker daemon, push with the
// real git and ssh clients, and talk to the deployed apps through the
// daemon's own proxy. Nothing is faked.
package e2e
