package engine

import (
	"context"
	"io"
	"time"
)

// ContainerSpec describes one container of a release.
type ContainerSpec struct {
	App     string
	Release int
	// Process is the process type ("web", "worker", ...).
	Process string
	// Replica numbers containers of one process type from 1.
	Replica int
	Image   string
	// Entrypoint overrides the image's entrypoint when not nil.
	Entrypoint []string
	// Cmd overrides the image's command when not nil.
	Cmd []string
	// Env is the complete environment given to the container (PORT included).
	Env map[string]string
	// Port is the container port to publish on 127.0.0.1; 0 publishes nothing.
	Port int
	// Limits cap what the container may use; zero fields cap nothing.
	Limits Limits
	// Placement are the app's placement constraints; a runtime with one
	// node ignores them.
	Placement []string
}

// Container is a container the runtime runs for Quayside, as last inspected.
type Container struct {
	ID      string
	Name    string
	App     string
	Release int
	Process string
	Replica int
	Image   string
	// Addr is "127.0.0.1:<port>" where the published port answers, or ""
	// when the container is not running or publishes nothing.
	Addr string
	// State is the runtime's state: created, running, restarting, exited, dead.
	State        string
	Running      bool
	ExitCode     int
	RestartCount int
	CreatedAt    time.Time
	StartedAt    time.Time
	// Limits are those the container was started with (ContainerSpec.Limits).
	Limits Limits
	// Node is the cluster node the replica runs on; "" for a plain
	// container of this server.
	Node string
}

// Runtime event actions.
const (
	EventStart = "start"
	EventDie   = "die"
	EventOOM   = "oom"
)

// RuntimeEvent is something that happened to one of Quayside's containers.
type RuntimeEvent struct {
	Action string
	// Container carries the identity of the container (ID and labels); its
	// state fields are not filled.
	Container Container
	ExitCode  int
	Time      time.Time
}

// Runtime runs containers. Implementations only ever see, touch or list
// containers, networks and images that they made for this Quayside instance.
// Lookups of missing containers return *Error with ENOTFOUND.
type Runtime interface {
	// Start creates and starts a container of spec on the app's own network,
	// restarting unless stopped, with size-capped logs, spec.Limits applied,
	// the capabilities ordinary apps do not need dropped, and spec.Port
	// published on 127.0.0.1 at an ephemeral host port. It returns the
	// container as inspected after the start, Limits included.
	Start(ctx context.Context, spec ContainerSpec) (*Container, error)
	// Inspect returns the current state of a container.
	Inspect(ctx context.Context, id string) (*Container, error)
	// Containers lists the containers of app, or of every app when app is "".
	Containers(ctx context.Context, app string) ([]*Container, error)
	// Stop stops a container (SIGTERM, then SIGKILL after grace) and removes
	// it. A container that is already gone is not an error.
	Stop(ctx context.Context, id string, grace time.Duration) error
	// Logs returns up to the last n lines the container printed.
	Logs(ctx context.Context, id string, n int) (string, error)
	// Run runs spec once to completion in a container that is never
	// restarted and publishes no port, with spec.Limits and capabilities
	// dropped as Start does, streams what it prints to out as it
	// happens, removes it, and returns its exit code. When ctx ends the
	// container is killed and removed and ctx's error returned.
	Run(ctx context.Context, spec ContainerSpec, out io.Writer) (int, error)
	// RemoveApp removes the app's network and images. Its containers must
	// already be stopped.
	RemoveApp(ctx context.Context, app string) error
	// RemoveImage removes one of the images this Quayside made; a missing
	// image is not an error, and neither is one still used by a container
	// (it stays).
	RemoveImage(ctx context.Context, ref string) error
	// Events delivers container events until ctx ends, reconnecting after
	// errors. The channel is closed when ctx ends.
	Events(ctx context.Context) <-chan RuntimeEvent
}
