package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseAllow parses ranges an admin allows: CIDRs such as 10.0.0.0/8 or
// fd00::/8, or single addresses, each given alone or several separated
// by commas. A range is kept as written, masked to its prefix.
func ParseAllow(specs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, spec := range specs {
		for _, s := range strings.Split(spec, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, err := parseRange(s)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func parseRange(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("parse allowed range %q: give a CIDR such as 10.0.0.0/8 or an address", s)
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("parse allowed range %q: give a CIDR such as 10.0.0.0/8 or an address", s)
	}
	return p.Masked(), nil
}
