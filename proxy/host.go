package proxy

import (
	"net/netip"
	"strings"
)

// hostKey returns the routing key of a Host header value or of a route's
// host name: lowercase, without port, without a trailing dot, and for an IPv6
// literal the address without brackets ("[::1]:8080" -> "::1"). It returns
// "" for a value it cannot make sense of. It does not allocate unless the
// value holds uppercase letters.
func hostKey(h string) string {
	if h == "" {
		return ""
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return ""
		}
		h = h[1:end]
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		h = h[:i] // one colon: host:port; several: a bare IPv6 literal
	}
	h = strings.TrimSuffix(h, ".")
	return strings.ToLower(h)
}

// validHost reports whether a Host header value names a host the way a
// client addressing the proxy would: a DNS name (letters, digits, hyphens,
// underscores; labels of 1 to 63 characters; an optional trailing dot) or
// an IPv4 address, or an IPv6 literal in brackets, each with an optional
// port of digits. Anything else (empty, user info, a second colon, an empty
// port, bytes a host name cannot hold) is refused before routing, so no
// odd Host reaches a backend or the control host.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
		rest := h[end+1:]
		return rest == "" || (rest[0] == ':' && validPort(rest[1:]))
	}
	name, port := h, ""
	if i := strings.IndexByte(h, ':'); i >= 0 {
		name, port = h[:i], h[i+1:]
		if !validPort(port) {
			return false
		}
	}
	return validName(name)
}

// validPort reports whether p is 1 to 5 digits.
func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// validName reports whether n is a DNS name (or IPv4 address) as validHost
// describes it.
func validName(n string) bool {
	n = strings.TrimSuffix(n, ".")
	if n == "" || len(n) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		if label++; label > 63 {
			return false
		}
	}
	return label > 0
}
