package swarm

import (
	"context"
	"fmt"
	"time"
)

// shipper returns what ships images to the nodes: the fixed Shipper, else
// the registry (started now if need be), else nil (images are used as
// they are).
func (r *Runtime) shipper(ctx context.Context) (Shipper, error) {
	if r.ship != nil {
		return r.ship, nil
	}
	reg, err := r.registry(ctx)
	if reg == nil || err != nil {
		return nil, err
	}
	return reg, nil
}

// registry returns the running registry, starting it when there is a
// starter and a swarm of this instance; nil without a starter.
func (r *Runtime) registry(ctx context.Context) (Registry, error) {
	r.regMu.Lock()
	defer r.regMu.Unlock()
	if r.reg != nil || r.startReg == nil {
		return r.reg, nil
	}
	info, err := r.cli.Info(ctx)
	if err != nil {
		return nil, unavailable("read docker info", err)
	}
	if info.Swarm.NodeAddr == "" {
		return nil, nil
	}
	reg, err := r.startReg(ctx, info.Swarm.NodeAddr)
	if err != nil {
		return nil, fmt.Errorf("start registry: %w", err)
	}
	r.reg = reg
	return reg, nil
}

// registryRetry is how long keepRegistry waits after a failed start.
const registryRetry = 30 * time.Second

// keepRegistry starts the registry when the cluster runs without it (after
// a restart of the daemon): the nodes pull from it whenever Swarm replaces
// a task. A failed start is logged and tried again after registryRetry.
func (r *Runtime) keepRegistry(ctx context.Context) {
	if r.startReg == nil || r.hold.Load() || time.Now().Before(r.regNext) {
		return
	}
	if _, err := r.registry(ctx); err != nil {
		r.log.Warn("registry did not start; the nodes cannot pull images", "err", err, "retry_in", registryRetry)
		r.regNext = time.Now().Add(registryRetry)
	}
}

// stopRegistry stops the registry, if one runs.
func (r *Runtime) stopRegistry(ctx context.Context) {
	r.regMu.Lock()
	defer r.regMu.Unlock()
	if r.reg == nil {
		return
	}
	if err := r.reg.Stop(ctx); err != nil {
		r.log.Warn("stop registry", "err", err)
	}
	r.reg = nil
}

// Close stops the registry, if one runs.
func (r *Runtime) Close(ctx context.Context) error {
	r.stopRegistry(ctx)
	return nil
}
