package subnetpool

import (
	"fmt"
	"net/netip"
	"strings"
)

// Network is what the pool needs to know of one Docker network.
type Network struct {
	Name    string
	Subnets []netip.Prefix // IPv4 subnets of its IPAM config
	Ours    bool           // labelled by a Quayside server (any instance)
}

// Check returns an error naming the first route or network that collides
// with the pool, and how to choose another range. Networks of Quayside
// servers that hold subnets of the pool do not collide (they are the pool's
// own allocations, of this server or of another on the same daemon), nor
// do the host routes of their bridges.
func Check(p Pool, routes []Route, nets []Network) error {
	for _, n := range nets {
		for _, s := range n.Subnets {
			if s.Overlaps(p.prefix) && !(n.Ours && p.Holds(s)) {
				return collision(p, fmt.Sprintf("Docker network %s (%s)", n.Name, s))
			}
		}
	}
	for _, r := range routes {
		if r.Prefix.Overlaps(p.prefix) && !bridgeRoute(p, r) {
			return collision(p, fmt.Sprintf("the host route to %s on %s", r.Prefix, r.Iface))
		}
	}
	return nil
}

// bridgeRoute reports whether r is the route of the bridge of a Docker
// network holding a subnet of the pool: such a network is either listed in
// nets (and checked there) or was created or removed while the routes and
// the networks were being read.
func bridgeRoute(p Pool, r Route) bool {
	return p.Holds(r.Prefix) && strings.HasPrefix(r.Iface, "br-")
}

func collision(p Pool, what string) error {
	return fmt.Errorf("app subnets %s collide with %s: choose a free range with --app-subnets (or QUAYSIDE_APP_SUBNETS), for example another /16 in 10.0.0.0/8 that `ip route` and `docker network inspect` do not show", p, what)
}

// Used lists every subnet held by a network or a host route.
func Used(routes []Route, nets []Network) []netip.Prefix {
	var used []netip.Prefix
	for _, n := range nets {
		used = append(used, n.Subnets...)
	}
	for _, r := range routes {
		used = append(used, r.Prefix)
	}
	return used
}

// ours reports whether labels mark a network as made by a Quayside server
// (an app network or a build network).
func ours(labels map[string]string) bool {
	for k := range labels {
		if strings.HasPrefix(k, "io.quayside.") {
			return true
		}
	}
	return false
}
