package daemon

import (
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/engine/swarm"
)

// runtime returns the runtime of the apps' replicas, made once: plain
// containers, and Swarm services once `cluster init` ran.
func (d *Daemon) runtime() *swarm.Runtime {
	if d.swarm == nil {
		log := d.cfg.Log
		local := docker.New(d.docker, d.instance, log.With("part", "docker"), docker.WithSubnets(d.appSubnets()))
		opts := []swarm.Option{}
		if d.cfg.StopGrace > 0 {
			opts = append(opts, swarm.WithStopGrace(d.cfg.StopGrace))
		}
		d.swarm = swarm.New(d.docker, local, d.instance, log.With("part", "swarm"), opts...)
	}
	return d.swarm
}
