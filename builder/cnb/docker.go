package cnb

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"sync"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	specs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

// Waits of packDocker.
const (
	drainWait   = 2 * time.Second  // for a container's output after it exited
	cleanupWait = 30 * time.Second // for removing pack's network after cancellation
)

// packDocker is the Docker client pack gets for one build: the Builder's
// client, with these changes to what pack asks of it:
//   - containers get the memory limit (pack has no option for one) and,
//     with networks, the build's labels;
//   - a container's exit is reported only once its attached output has been
//     read to the end, so the last lines of a failed phase are not lost
//     (pack stops reading the output as soon as it learns of the exit);
//   - pack's network gets a subnet of Quayside's pool (not of Docker's
//     default pools, which run out at about 31 networks) and is removed
//     even when the build's context has ended;
//   - when guarded (see guardDaemon), no container but the lifecycle's gets
//     the Docker daemon.
type packDocker struct {
	*client.Client
	memory  int64 // bytes; 0 means unlimited
	labels  map[string]string
	guarded bool
	socket  string // the daemon's socket path when guarded
	subnets subnetpool.Pool

	mu      sync.Mutex
	drained map[string]chan struct{} // container ID -> closed when its output ended
}

// newPackDocker wraps cli for one build.
func newPackDocker(cli *client.Client, memory int64, labels map[string]string) *packDocker {
	return &packDocker{Client: cli, memory: memory, labels: labels, subnets: subnetpool.DefaultPool(),
		drained: map[string]chan struct{}{}}
}

// ContainerCreate creates the container with the limit and labels added.
func (d *packDocker) ContainerCreate(ctx context.Context, cfg *container.Config, host *container.HostConfig,
	net *network.NetworkingConfig, platform *specs.Platform, name string) (container.CreateResponse, error) {
	if err := d.checkDaemonAccess(cfg, host); err != nil {
		return container.CreateResponse{}, err
	}
	if cfg != nil {
		c := *cfg
		c.Labels = d.withLabels(cfg.Labels)
		cfg = &c
	}
	h := container.HostConfig{}
	if host != nil {
		h = *host
	}
	if d.memory > 0 {
		h.Memory = d.memory
		h.MemorySwap = d.memory // no swap on top of the cap
	}
	pids := int64(buildPidsLimit)
	h.PidsLimit = &pids // a fork bomb in a buildpack stays in its build
	return d.Client.ContainerCreate(ctx, cfg, &h, net, platform, name)
}

// buildPidsLimit is the most processes and threads one build container
// may have: generous for compilers, small enough that a fork bomb cannot
// exhaust the host's process IDs.
const buildPidsLimit = 4096

// NetworkCreate creates the network with the build's labels added and,
// unless pack chose its own addresses, the first free subnet of the pool.
func (d *packDocker) NetworkCreate(ctx context.Context, name string, opts network.CreateOptions) (network.CreateResponse, error) {
	opts.Labels = d.withLabels(opts.Labels)
	if opts.IPAM != nil && len(opts.IPAM.Config) > 0 {
		return d.Client.NetworkCreate(ctx, name, opts)
	}
	resp, err := subnetpool.Create(ctx, d.Client, d.subnets, name, opts)
	if full := (*subnetpool.FullError)(nil); errors.As(err, &full) {
		return resp, engine.Errorf(engine.EUNAVAILABLE,
			"no network address left for the build: all %d subnets (/%d) of the app subnet pool %s are taken; "+
				"destroy unused apps, or restart the server with --app-subnets (QUAYSIDE_APP_SUBNETS) set to a larger range",
			full.Pool.Size(), subnetpool.SubnetBits, full.Pool)
	}
	return resp, err
}

// NetworkRemove removes the network even when ctx has ended: pack removes
// its network with the build's context, which may be why the build ended.
func (d *packDocker) NetworkRemove(ctx context.Context, id string) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupWait)
	defer cancel()
	return d.Client.NetworkRemove(rctx, id)
}

// ContainerAttach attaches and notes when the output ends.
func (d *packDocker) ContainerAttach(ctx context.Context, id string, opts container.AttachOptions) (types.HijackedResponse, error) {
	resp, err := d.Client.ContainerAttach(ctx, id, opts)
	if err != nil {
		return resp, err
	}
	done := make(chan struct{})
	d.mu.Lock()
	d.drained[id] = done
	d.mu.Unlock()
	resp.Reader = bufio.NewReader(&endReader{r: resp.Reader, done: done})
	return resp, nil
}

// ContainerWait reports the container's exit once its output has ended
// (or drainWait has passed), and errors at once.
func (d *packDocker) ContainerWait(ctx context.Context, id string, cond container.WaitCondition) (<-chan container.WaitResponse, <-chan error) {
	bodies, errs := d.Client.ContainerWait(ctx, id, cond)
	body := make(chan container.WaitResponse, 1)
	errc := make(chan error, 1)
	go func() {
		select {
		case b := <-bodies:
			d.awaitOutput(ctx, id)
			body <- b
		case err := <-errs:
			errc <- err
		}
	}()
	return body, errc
}

// awaitOutput waits until the attached output of container id has ended.
func (d *packDocker) awaitOutput(ctx context.Context, id string) {
	d.mu.Lock()
	done, ok := d.drained[id]
	delete(d.drained, id)
	d.mu.Unlock()
	if !ok {
		return
	}
	t := time.NewTimer(drainWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// withLabels returns labels with the build's added.
func (d *packDocker) withLabels(labels map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, d.labels)
	return out
}

// endReader closes done when reading r fails, at its end or otherwise.
type endReader struct {
	r    io.Reader
	done chan struct{}
	once sync.Once
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.once.Do(func() { close(e.done) })
	}
	return n, err
}
