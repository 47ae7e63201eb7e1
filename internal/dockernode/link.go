package dockernode

import (
	"net/netip"
	"testing"
)

// Link joins two nodes directly with a veth pair of their own (a /30 from
// the same pool) and returns each one's address on it: the path a
// cluster's nodes talk over (swarm control, overlay data, published
// ports), as machines on one LAN do. Traffic between them never passes the
// host's firewall. The link goes when either node is removed.
func Link(t testing.TB, a, b *Node) (aAddr, bAddr netip.Addr) {
	t.Helper()
	name, aAddr, bAddr, err := allocate()
	if err != nil {
		t.Fatalf("dockernode: %v", err)
	}
	ea, eb := name+"a", name+"b"
	steps := [][]string{
		{"ip", "link", "add", ea, "netns", a.Name, "type", "veth", "peer", "name", eb, "netns", b.Name},
		{"ip", "-n", a.Name, "addr", "add", aAddr.String() + "/30", "dev", ea},
		{"ip", "-n", b.Name, "addr", "add", bAddr.String() + "/30", "dev", eb},
		{"ip", "-n", a.Name, "link", "set", ea, "up"},
		{"ip", "-n", b.Name, "link", "set", eb, "up"},
	}
	for _, s := range steps {
		if err := run(s[0], s[1:]...); err != nil {
			t.Fatalf("dockernode: link %s and %s: %v", a.Name, b.Name, err)
		}
	}
	return aAddr, bAddr
}

// ReachHost lets the node reach addr, an address of the host (such as
// another node's HostAddr, where a test serves a registry), through its
// own link. The host delivers such packets locally; nothing is forwarded.
func (n *Node) ReachHost(t testing.TB, addr netip.Addr) {
	t.Helper()
	if err := run("ip", "-n", n.Name, "route", "add", addr.String()+"/32", "via", n.HostAddr.String()); err != nil {
		t.Fatalf("dockernode: %v", err)
	}
}
