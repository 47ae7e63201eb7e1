package subnetpool

import (
	"errors"
	"fmt"
	"net/netip"
)

// Default is the pool used when the server is not given one. It is private
// (RFC 1918) space outside Docker's default pools (172.17-31.0.0/16,
// 192.168.0.0/16), outside the 10.0-10.10 ranges that home routers, VPNs and
// cloud VPCs (Azure, Hetzner, DigitalOcean) favour, outside Kubernetes' and
// k3s' defaults (10.42, 10.43, 10.96, 10.244) and GCP's auto-mode 10.128.0.0/9,
// and not 100.64.0.0/10, which Tailscale and carrier-grade NAT use.
const Default = "10.213.0.0/16"

// SubnetBits is the prefix length of each subnet handed out: a /26 holds 61
// containers, room for an app's web and worker processes during a deploy.
const SubnetBits = 26

// ErrFull is returned when every subnet of the pool is used.
var ErrFull = errors.New("subnet pool is full")

// dockerDefaults are Docker's default address pools; a pool overlapping
// them would collide with networks Docker creates for anyone else.
var dockerDefaults = func() []netip.Prefix {
	var p []netip.Prefix
	for b := 17; b <= 31; b++ {
		p = append(p, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	return append(p, netip.MustParsePrefix("192.168.0.0/16"))
}()

// Pool is an IPv4 range cut into /26 subnets.
type Pool struct {
	prefix netip.Prefix
}

// Parse reads a pool in CIDR form ("10.213.0.0/16"). It refuses what is not
// an IPv4 CIDR, a range with host bits set, a range smaller than one /26 and
// a range overlapping Docker's default address pools.
func Parse(s string) (Pool, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return Pool{}, fmt.Errorf("app subnets %q is not a CIDR range like %s", s, Default)
	}
	if !p.Addr().Is4() {
		return Pool{}, fmt.Errorf("app subnets %q is not IPv4: give an IPv4 range like %s", s, Default)
	}
	if p.Masked() != p {
		return Pool{}, fmt.Errorf("app subnets %q has host bits set: did you mean %s?", s, p.Masked())
	}
	if p.Bits() > SubnetBits {
		return Pool{}, fmt.Errorf("app subnets %q is smaller than one /%d subnet: give a /%d or larger range", s, SubnetBits, SubnetBits)
	}
	for _, d := range dockerDefaults {
		if d.Overlaps(p) {
			return Pool{}, fmt.Errorf("app subnets %q overlaps Docker's default address pool %s: choose a range outside 172.17.0.0-172.31.255.255 and 192.168.0.0/16, like %s", s, d, Default)
		}
	}
	return Pool{prefix: p}, nil
}

// DefaultPool is the pool Default names.
func DefaultPool() Pool {
	p, err := Parse(Default)
	if err != nil {
		panic("subnetpool.Default does not parse: " + err.Error())
	}
	return p
}

// IsZero reports whether p is the zero Pool (no range at all).
func (p Pool) IsZero() bool { return !p.prefix.IsValid() }

// Prefix is the whole range of the pool.
func (p Pool) Prefix() netip.Prefix { return p.prefix }

// String is the pool in CIDR form.
func (p Pool) String() string { return p.prefix.String() }

// Size is the number of subnets in the pool.
func (p Pool) Size() int { return 1 << (SubnetBits - p.prefix.Bits()) }

// First returns the first subnet of the pool that overlaps none of used, or
// ErrFull.
func (p Pool) First(used []netip.Prefix) (netip.Prefix, error) {
	for i := 0; i < p.Size(); i++ {
		s := p.subnet(i)
		if !overlapsAny(s, used) {
			return s, nil
		}
	}
	return netip.Prefix{}, ErrFull
}

// Holds reports whether s is one of the pool's subnets.
func (p Pool) Holds(s netip.Prefix) bool {
	return s.Bits() == SubnetBits && p.prefix.Contains(s.Addr()) && s.Masked() == s
}

// subnet is the i-th /26 of the pool.
func (p Pool) subnet(i int) netip.Prefix {
	a := p.prefix.Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n += uint32(i) << (32 - SubnetBits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), SubnetBits)
}

func overlapsAny(s netip.Prefix, used []netip.Prefix) bool {
	for _, u := range used {
		if u.Overlaps(s) {
			return true
		}
	}
	return false
}
