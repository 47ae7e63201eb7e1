package subnetpool

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Route is one IPv4 route of the host.
type Route struct {
	Iface  string
	Prefix netip.Prefix
}

// ParseRoutes reads the IPv4 routes in the format of /proc/net/route
// (destination and mask in little-endian hex). The default route is left
// out: it overlaps everything and collides with nothing.
func ParseRoutes(r io.Reader) ([]Route, error) {
	var routes []Route
	sc := bufio.NewScanner(r)
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 8 {
			continue
		}
		dst, err1 := hexAddr(f[1])
		mask, err2 := hexAddr(f[7])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("parse route %q: bad address", sc.Text())
		}
		bits := maskBits(mask)
		if bits == 0 {
			continue
		}
		routes = append(routes, Route{Iface: f[0], Prefix: netip.PrefixFrom(dst, bits).Masked()})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read routes: %w", err)
	}
	return routes, nil
}

// hexAddr decodes an address as /proc/net/route writes it: 8 hex digits,
// least significant byte first.
func hexAddr(s string) (netip.Addr, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return netip.Addr{}, fmt.Errorf("bad address %q", s)
	}
	return netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]}), nil
}

// maskBits counts the leading ones of a netmask.
func maskBits(m netip.Addr) int {
	a := m.As4()
	n := 0
	for _, b := range a {
		for i := 7; i >= 0 && b&(1<<i) != 0; i-- {
			n++
		}
		if b != 0xff {
			break
		}
	}
	return n
}
