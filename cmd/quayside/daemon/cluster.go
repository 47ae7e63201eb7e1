package daemon

import (
	"context"
	"time"

	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/engine/swarm"
)

// runtime returns the runtime of the apps' replicas, made once: plain
// containers, and Swarm services once `cluster init` ran, their images
// shipped through Quayside's registry (started with the cluster).
func (d *Daemon) runtime() *swarm.Runtime {
	if d.swarm != nil {
		return d.swarm
	}
	log := d.cfg.Log
	local := d.localRuntime()
	opts := []swarm.Option{swarm.WithRegistry(d.startRegistry)}
	if d.cfg.StopGrace > 0 {
		opts = append(opts, swarm.WithStopGrace(d.cfg.StopGrace))
	}
	d.swarm = swarm.New(d.docker, local, d.instance, log.With("part", "swarm"), opts...)
	d.closers = append(d.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return d.swarm.Close(ctx)
	})
	return d.swarm
}

// localRuntime is the runtime of this server's own Docker daemon, made
// once: apps' containers in single-node mode (under runtime()) and add-ons
// always run there.
func (d *Daemon) localRuntime() *docker.Runtime {
	if d.local == nil {
		d.local = docker.New(d.docker, d.instance, d.cfg.Log.With("part", "docker"), docker.WithSubnets(d.appSubnets()))
	}
	return d.local
}

// startRegistry starts Quayside's registry for a cluster whose manager
// the nodes reach at advertiseIP.
func (d *Daemon) startRegistry(ctx context.Context, advertiseIP string) (swarm.Registry, error) {
	reg, err := d.NewRegistry(advertiseIP)
	if err != nil {
		return nil, err
	}
	if err := reg.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return reg, nil
}
