package egress

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Policy decides which addresses outbound requests made on a user's behalf
// may reach. The zero value refuses every refused range and this server's
// own addresses; a Policy is safe for concurrent use once made.
type Policy struct {
	// Allow are ranges an admin allowed although they are refused by
	// default (e.g. 10.0.0.0/8 for an internal chat server).
	Allow []netip.Prefix
	// OwnAddrs returns the addresses of this server's interfaces; nil means
	// the interfaces' addresses, read at each check (net.InterfaceAddrs).
	OwnAddrs func() ([]netip.Addr, error)
	// Resolver resolves host names for Dialer; nil means the default.
	Resolver *net.Resolver
}

// RefusedError says that an address may not be reached and why.
type RefusedError struct {
	Addr netip.Addr
	// Why names the kind of address: "loopback", "private", "this
	// server's own address", ...
	Why string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused address %s (%s)", e.Addr, e.Why)
}

// Check returns a *RefusedError when addr may not be reached: when it is
// in no allowed range and is either in a refused range or one of this
// server's own addresses (an allowed range wins over both). An IPv4-mapped or NAT64 address is judged by the IPv4 address
// it embeds, and its allowed ranges too.
func (p *Policy) Check(addr netip.Addr) error {
	if !addr.IsValid() {
		return &RefusedError{Addr: addr, Why: "not an IP address"}
	}
	addr = embedded(addr)
	if p.allowed(addr) {
		return nil
	}
	if why := refusedRange(addr); why != "" {
		return &RefusedError{Addr: addr, Why: why}
	}
	if p.own(addr) {
		return &RefusedError{Addr: addr, Why: "this server's own address"}
	}
	return nil
}

func (p *Policy) allowed(addr netip.Addr) bool {
	for _, a := range p.Allow {
		if a.Contains(addr) {
			return true
		}
	}
	return false
}

// own reports whether addr is one of this server's addresses. When they
// cannot be read, every address counts as the server's: fail closed.
func (p *Policy) own(addr netip.Addr) bool {
	addrs, err := p.ownAddrs()
	if err != nil {
		return true
	}
	for _, a := range addrs {
		if embedded(a) == addr {
			return true
		}
	}
	return false
}

func (p *Policy) ownAddrs() ([]netip.Addr, error) {
	if p.OwnAddrs != nil {
		return p.OwnAddrs()
	}
	return InterfaceAddrs()
}

// InterfaceAddrs returns the addresses of this machine's interfaces.
func InterfaceAddrs() ([]netip.Addr, error) {
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("read interface addresses: %w", err)
	}
	out := make([]netip.Addr, 0, len(ifaddrs))
	for _, a := range ifaddrs {
		if pfx, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, pfx.Addr())
		}
	}
	return out, nil
}

// CheckHost checks a URL's host when it is a literal IP address (a host
// name is checked when it is dialled); nil for a host name.
func (p *Policy) CheckHost(host string) error {
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return nil
	}
	return p.Check(addr)
}

// Control is a net.Dialer Control hook: it refuses a connection before it
// is made when the resolved address it is about to reach fails Check.
func (p *Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Why: "an address that does not parse"}
	}
	return p.Check(ap.Addr())
}
