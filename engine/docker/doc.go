// Package docker is the Docker runtime adapter of Quayside: it implements
// engine.Runtime and engine.LogFollower on top of the Docker Engine API.
//
// It sits between the engine (which decides what should run) and the Docker
// daemon (which runs it). Everything it creates carries the label
// io.quayside.instance=<instance id>, and every list, filter and removal is
// scoped to that label, so several Quayside servers can share one daemon
// without seeing or touching each other's containers, networks and images.
//
// Names:
//   - per-app bridge network  qs-<instance>-<app>
//   - container               qs-<instance>-<app>-<process>-<replica>-v<release>-<4 hex>
//   - one-off container (Run) qs-<instance>-<app>-<process>-<replica>-v<release>-<8 hex>
//   - image (made by builder/dockerfile) qs-<instance>/<app>:v<release>
//
// One-off containers (quayside run, the release phase) also carry the label
// io.quayside.oneoff=true: they are not app processes, so Containers and
// Events leave them out, while Inspect, Logs, FollowLogs, Stats and Stop
// find them by id and RemoveApp removes them.
//
// Logs: containers log to json-file (3 x 10 MB). FollowLogs reads Docker's
// multiplexed, timestamped log stream frame by frame (logstream.go), joins
// the partial messages Docker cuts long lines into, splits lines at
// engine.MaxLogLineBytes and makes them printable (lines.go,
// printable.go). Stats computes CPU and memory as docker stats does
// (stats.go).
package docker
