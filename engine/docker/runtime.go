package docker

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

var (
	_ engine.Runtime     = (*Runtime)(nil)
	_ engine.LogFollower = (*Runtime)(nil)
)

// Runtime runs the containers of one Quayside instance on a Docker daemon.
// It is safe for concurrent use. It does not own the client: whoever made
// the client closes it.
type Runtime struct {
	cli      *client.Client
	instance string
	log      *slog.Logger
	subnets  subnetpool.Pool // where new app networks get their subnets

	// netMu serialises network creation: Docker 20.10 can create two
	// networks with one name when two creates race.
	netMu sync.Mutex
	// cpu remembers each container's last CPU reading for Stats.
	cpu cpuMemo
	// statsReads counts the stats readings asked of Docker (for tests).
	statsReads atomic.Uint64
	// busyBackoff is the first wait before asking a daemon busy with a
	// disk-usage computation again, busyFor how long to keep asking (see
	// diskUsage).
	busyBackoff, busyFor time.Duration
}

// Option changes a Runtime made by New.
type Option func(*Runtime)

// WithSubnets makes new app networks take their subnets from p instead of
// subnetpool.Default.
func WithSubnets(p subnetpool.Pool) Option {
	return func(r *Runtime) { r.subnets = p }
}

// New returns a Runtime that uses cli and owns the objects labelled with
// instance (a short hex id unique to this Quayside server). A nil logger
// discards.
func New(cli *client.Client, instance string, logger *slog.Logger, opts ...Option) *Runtime {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{cli: cli, instance: instance, log: logger, subnets: subnetpool.DefaultPool(), busyBackoff: defaultBusyBackoff, busyFor: defaultBusyFor}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewClient returns a Docker client configured from the environment
// (DOCKER_HOST and friends, else the default socket) that negotiates the API
// version with the daemon. The caller closes it.
func NewClient() (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("create docker client: %w", err)
	}
	return cli, nil
}
