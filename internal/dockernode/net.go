package dockernode

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
)

// pool is where the nodes' /30 links come from: 16383 of them, clear of the
// app subnets (10.213.0.0/16) and of Docker's default pools.
var pool = netip.MustParsePrefix("10.252.0.0/16")

// allocate picks a random unused name and /30 (host end, node end). Two
// test processes may race for the same /30 only with odds of 1 in 16383;
// plumb fails cleanly when the veth name is taken.
func allocate() (name string, host, node netip.Addr, err error) {
	used, err := usedAddrs()
	if err != nil {
		return "", host, node, err
	}
	for range 64 {
		var b [3]byte
		_, _ = rand.Read(b[:])
		idx := (int(b[0])<<8 | int(b[1])) % 16383
		host, node = linkAddrs(idx + 1)
		if !used[host] && !used[node] {
			return "qn" + hex.EncodeToString(b[:]), host, node, nil
		}
	}
	return "", host, node, errors.New("allocate link: no free /30 in " + pool.String())
}

// linkAddrs returns the host and node addresses of /30 number i of pool.
func linkAddrs(i int) (host, node netip.Addr) {
	base := pool.Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(i*4)
	return netip.AddrFrom4(u32(v + 1)), netip.AddrFrom4(u32(v + 2))
}

func u32(v uint32) [4]byte { return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// usedAddrs lists the host's interface addresses.
func usedAddrs() (map[netip.Addr]bool, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	used := map[netip.Addr]bool{}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			used[p.Addr()] = true
		}
	}
	return used, nil
}

// plumb makes the namespace and the veth pair and addresses both ends.
func (n *Node) plumb() error {
	ns := []string{"-n", n.Name}
	steps := [][]string{
		{"ip", "netns", "add", n.Name},
		{"ip", "link", "add", n.hostVeth(), "type", "veth", "peer", "name", n.nodeVeth()},
		{"ip", "link", "set", n.nodeVeth(), "netns", n.Name},
		{"ip", "addr", "add", n.HostAddr.String() + "/30", "dev", n.hostVeth()},
		{"ip", "link", "set", n.hostVeth(), "up"},
		append(append([]string{"ip"}, ns...), "addr", "add", n.Addr.String()+"/30", "dev", n.nodeVeth()),
		append(append([]string{"ip"}, ns...), "link", "set", n.nodeVeth(), "up"),
		append(append([]string{"ip"}, ns...), "link", "set", "lo", "up"),
	}
	for _, s := range steps {
		if err := run(s[0], s[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// run runs a command and returns its output in the error when it fails.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
