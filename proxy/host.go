package proxy

import "strings"

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
