package egress

import "net/netip"

// blocked is one refused range and why it is refused.
type blocked struct {
	prefix netip.Prefix
	why    string
}

// refusedRanges are the ranges no request made on a user's behalf may
// reach unless an admin allows them. IPv4-mapped and NAT64 addresses are
// checked by the IPv4 address they embed; the other IPv6 forms that
// embed or tunnel to an IPv4 address (6to4, Teredo, IPv4-compatible,
// translated, local-use NAT64) are refused whole, so none of them can be
// a way to the server's own networks.
var refusedRanges = func() []blocked {
	list := []struct{ cidr, why string }{
		{"0.0.0.0/8", "unspecified"},
		{"127.0.0.0/8", "loopback"},
		{"10.0.0.0/8", "private"},
		{"172.16.0.0/12", "private"},
		{"192.168.0.0/16", "private"},
		{"100.64.0.0/10", "shared (CGNAT)"},
		{"169.254.0.0/16", "link-local"},
		{"192.0.0.0/24", "reserved (IETF protocol assignments)"},
		{"198.18.0.0/15", "reserved (benchmarking)"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"},
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"fe80::/10", "link-local"},
		{"fc00::/7", "unique-local (private)"},
		{"ff00::/8", "multicast"},
		{"::/96", "IPv4-compatible (embeds an IPv4 address)"},
		{"::ffff:0:0:0/96", "IPv4-translated (embeds an IPv4 address)"},
		{"64:ff9b:1::/48", "local-use NAT64 (embeds an IPv4 address)"},
		{"2002::/16", "6to4 (embeds an IPv4 address)"},
		{"2001::/32", "Teredo (embeds an IPv4 address)"},
		{"fec0::/10", "site-local (private)"},
		{"100::/64", "discard-only"},
	}
	out := make([]blocked, 0, len(list))
	for _, r := range list {
		out = append(out, blocked{netip.MustParsePrefix(r.cidr), r.why})
	}
	return out
}()

// nat64 is the well-known NAT64 prefix: its last 32 bits are an IPv4
// address that a NAT64 gateway would reach.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// embedded returns the IPv4 address an IPv4-mapped or NAT64 address
// stands for, or addr itself.
func embedded(addr netip.Addr) netip.Addr {
	addr = addr.WithZone("")
	if addr.Is4In6() {
		return addr.Unmap()
	}
	if nat64.Contains(addr) {
		b := addr.As16()
		return netip.AddrFrom4([4]byte(b[12:]))
	}
	return addr
}

// refusedRange says why addr is in a refused range; "" when it is not.
func refusedRange(addr netip.Addr) string {
	for _, r := range refusedRanges {
		if r.prefix.Contains(addr) {
			return r.why
		}
	}
	return ""
}
