package certs

import (
	"crypto/x509"
	"net"
	"slices"
	"strings"
)

// localScope is what the local CA may sign for, written into its root as
// critical name constraints: names under the server's domain, and the
// loopback addresses (plus the server's address when its domain is one).
// A root a user trusted in a browser so cannot vouch for any other site.
type localScope struct {
	dns []string
	ips []*net.IPNet
}

// scopeFor is the scope for a server whose base domain is domain
// ("localhost" when empty; an IP address keeps DNS names to localhost).
func scopeFor(domain string) localScope {
	d := normalizeHost(domain)
	s := localScope{ips: []*net.IPNet{
		{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
		{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
	}}
	switch ip := net.ParseIP(d); {
	case ip != nil:
		s.dns = []string{"localhost"}
		if !ip.IsLoopback() {
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			s.ips = append(s.ips, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
		}
	case d == "":
		s.dns = []string{"localhost"}
	default:
		s.dns = []string{d}
	}
	return s
}

// allows reports whether host is inside the scope.
func (s localScope) allows(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return slices.ContainsFunc(s.ips, func(n *net.IPNet) bool { return n.Contains(ip) })
	}
	h := strings.ToLower(host)
	return slices.ContainsFunc(s.dns, func(d string) bool { return h == d || strings.HasSuffix(h, "."+d) })
}

// apply writes the scope into a root template.
func (s localScope) apply(tmpl *x509.Certificate) {
	tmpl.PermittedDNSDomainsCritical = true
	tmpl.PermittedDNSDomains = slices.Clone(s.dns)
	tmpl.PermittedIPRanges = slices.Clone(s.ips)
}

// matches reports whether root carries exactly this scope.
func (s localScope) matches(root *x509.Certificate) bool {
	if !root.PermittedDNSDomainsCritical || !slices.Equal(root.PermittedDNSDomains, s.dns) || len(root.PermittedIPRanges) != len(s.ips) {
		return false
	}
	for i, n := range root.PermittedIPRanges {
		if n.String() != s.ips[i].String() {
			return false
		}
	}
	return true
}
