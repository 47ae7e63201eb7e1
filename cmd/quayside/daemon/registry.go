package daemon

import (
	"fmt"
	"net"

	"github.com/quayside/quayside/proxy/registry"
)

// NewRegistry makes (without starting it) Quayside's registry for a
// cluster whose manager other nodes reach at advertiseIP: it listens on
// Config.RegistryAddr (on advertiseIP alone when that names no host; see
// registryListen), is reached at advertiseIP and that port, keeps its
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
		Listen:  registryListen(d.cfg.RegistryAddr, advertiseIP),
		Host:    net.JoinHostPort(advertiseIP, port),
		Docker:  d.docker,
		Log:     d.cfg.Log.With("part", "registry"),

		CollectEvery: d.cfg.GCEvery,
	})
}

// registryListen is where the registry listens: addr, but on advertiseIP
// alone when addr names no host (":5443"), since the nodes and this
// server's Docker reach it there and nowhere else. A manager whose nodes
// talk over a private network so keeps the registry off its public
// address; "0.0.0.0:5443" asks for every address.
func registryListen(addr, advertiseIP string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" || advertiseIP == "" {
		return addr
	}
	return net.JoinHostPort(advertiseIP, port)
}
