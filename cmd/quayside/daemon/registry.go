package daemon

import (
	"fmt"
	"net"

	"github.com/quayside/quayside/proxy/registry"
)

// NewRegistry makes (without starting it) Quayside's registry for a
// cluster whose manager other nodes reach at advertiseIP: it listens on
// Config.RegistryAddr, is reached at advertiseIP and that port, keeps its
// files under the data dir and pushes from this server's Docker. Cluster
// init calls it and Start; single-node mode never does. While started it
// removes, every --gc-every, the images the server no longer keeps.
func (d *Daemon) NewRegistry(advertiseIP string) (*registry.Registry, error) {
	_, port, err := net.SplitHostPort(d.cfg.RegistryAddr)
	if err != nil {
		return nil, fmt.Errorf("new registry: --registry-addr %q: %w", d.cfg.RegistryAddr, err)
	}
	return registry.New(registry.Config{
		DataDir: d.cfg.Data,
		Listen:  d.cfg.RegistryAddr,
		Host:    net.JoinHostPort(advertiseIP, port),
		Docker:  d.docker,
		Log:     d.cfg.Log.With("part", "registry"),

		CollectEvery: d.cfg.GCEvery,
	})
}
