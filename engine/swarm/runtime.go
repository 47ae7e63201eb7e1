package swarm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
)

var (
	_ engine.Runtime        = (*Runtime)(nil)
	_ engine.LogFollower    = (*Runtime)(nil)
	_ engine.Janitor        = (*Runtime)(nil)
	_ engine.AppImageKeeper = (*Runtime)(nil)
	_ engine.Cluster        = (*Runtime)(nil)
)

// Shipper makes a local image pullable by every node (Quayside's
// registry, proxy/registry). Without one, images are used as they are,
// which only works on a one-node swarm or where every node has them.
type Shipper interface {
	// Ship returns the reference to give the service and the base64
	// registry auth to pass as EncodedRegistryAuth.
	Ship(ctx context.Context, app, image string) (ref, encodedAuth string, err error)
}

// Registry is Quayside's registry while this server manages a cluster.
type Registry interface {
	Shipper
	// JoinFlags are the flags of `quayside cluster join` that make a node
	// trust the registry.
	JoinFlags() string
	// Stop stops serving.
	Stop(ctx context.Context) error
}

// RegistryStarter starts Quayside's registry, reached by the nodes at
// advertiseIP. It is called once the swarm is up (at init, or at the first
// need after a restart of the daemon).
type RegistryStarter func(ctx context.Context, advertiseIP string) (Registry, error)

// LabelSwarm marks the swarm Quayside made: its value is the instance.
const LabelSwarm = "io.quayside.instance"

// modeTTL is how long Runtime trusts its last look at the swarm's state.
const modeTTL = 2 * time.Second

// Runtime is engine.Runtime on a Docker Swarm, falling back to the plain
// containers of *docker.Runtime, which it embeds for everything a service
// does not change (one-offs, images, garbage collection).
type Runtime struct {
	*docker.Runtime
	cli      *client.Client
	instance string
	log      *slog.Logger
	ship     Shipper         // fixed by WithShipper
	startReg RegistryStarter // or started on demand
	regMu    sync.Mutex
	reg      Registry
	regNext  time.Time // when keepRegistry may try again (its goroutine only)
	grace    time.Duration
	hold     atomic.Bool

	mu      sync.Mutex
	mode    mode
	netMu   sync.Mutex
	timeout time.Duration
}

// mode is what Runtime last saw of the swarm.
type mode struct {
	active bool   // a swarm of this instance, managed here
	nodeID string // this server's node
	at     time.Time
}

// Option changes a Runtime made by New.
type Option func(*Runtime)

// WithShipper makes services take their images through s.
func WithShipper(s Shipper) Option { return func(r *Runtime) { r.ship = s } }

// WithRegistry makes the Runtime start a registry through start once the
// swarm is up, ship images through it and stop it when leaving.
func WithRegistry(start RegistryStarter) Option { return func(r *Runtime) { r.startReg = start } }

// WithStopGrace sets how long a task may take to stop after SIGTERM.
func WithStopGrace(d time.Duration) Option { return func(r *Runtime) { r.grace = d } }

// WithStartTimeout bounds how long Start waits for the task to run.
func WithStartTimeout(d time.Duration) Option { return func(r *Runtime) { r.timeout = d } }

// New returns a Runtime over cli for instance; local runs the plain
// containers. A nil logger discards.
func New(cli *client.Client, local *docker.Runtime, instance string, logger *slog.Logger, opts ...Option) *Runtime {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{Runtime: local, cli: cli, instance: instance, log: logger,
		grace: engine.DefaultStopGrace, timeout: 2 * time.Minute}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Hold implements engine.Cluster.
func (r *Runtime) Hold(on bool) { r.hold.Store(on) }

// clustered reports whether new replicas become services.
func (r *Runtime) clustered(ctx context.Context) (bool, error) {
	if r.hold.Load() {
		return false, nil
	}
	m, err := r.current(ctx)
	return m.active, err
}

// current returns the swarm's state, looked at no longer than modeTTL ago.
func (r *Runtime) current(ctx context.Context) (mode, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.mode.at) < modeTTL {
		return r.mode, nil
	}
	m, err := r.look(ctx)
	if err != nil {
		return mode{}, err
	}
	r.mode = m
	return m, nil
}

// forget makes the next current look again.
func (r *Runtime) forget() {
	r.mu.Lock()
	r.mode = mode{}
	r.mu.Unlock()
}

// look asks Docker whether this server manages a swarm of this instance.
func (r *Runtime) look(ctx context.Context) (mode, error) {
	info, err := r.cli.Info(ctx)
	if err != nil {
		return mode{}, unavailable("read docker info", err)
	}
	m := mode{at: time.Now(), nodeID: info.Swarm.NodeID}
	if info.Swarm.LocalNodeState != swarm.LocalNodeStateActive || !info.Swarm.ControlAvailable {
		return m, nil
	}
	sw, err := r.cli.SwarmInspect(ctx)
	if err != nil {
		return mode{}, unavailable("inspect swarm", err)
	}
	m.active = sw.Spec.Labels[LabelSwarm] == r.instance
	return m, nil
}

// unavailable wraps a Docker error as EUNAVAILABLE.
func unavailable(what string, err error) error {
	return engine.Wrapf(fmt.Errorf("%s: %w", what, err), engine.EUNAVAILABLE, "Docker did not answer (%s): check that dockerd runs", what)
}
