package proxy

import (
	"net/http"
	"net/netip"
	"strings"
)

// Quayside is the edge: what a client says about where a request came from
// (X-Forwarded-For, X-Real-IP, True-Client-IP, X-Forwarded-Proto/-Host,
// Forwarded) is dropped, and X-Forwarded-For is set to the peer's address
// alone. Only a front proxy named in Options.TrustedProxies is believed:
// for a request whose peer address is in those ranges, its X-Forwarded-For
// is kept with the peer appended, and its X-Real-IP, True-Client-IP,
// X-Forwarded-Proto and X-Forwarded-Host are passed on (the latter two
// replace ours when it sent them). Forwarded is never passed on.

// fromTrustedProxy reports whether r's peer is a front proxy named in
// Options.TrustedProxies. Without any it costs one length check.
func (p *Proxy) fromTrustedProxy(r *http.Request) bool {
	if len(p.trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, pfx := range p.trusted {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// clientIPField reports whether the canonical key k is a field in which
// clients claim an address; those reach a backend only from a trusted proxy.
func clientIPField(k string) bool {
	return k == "X-Real-Ip" || k == "True-Client-Ip"
}

// forwardingNames are the fields that carry a client's address or the
// original host and scheme.
var forwardingNames = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "True-Client-Ip"}

// forwardingLookalike reports whether k spells a forwarding field with
// underscores for dashes (X_Forwarded_For, True_Client_IP, ...). Go keeps
// such a field apart, but CGI, WSGI and Rack servers read it as the real
// one (HTTP_X_FORWARDED_FOR), so it would let a client claim an address.
// It never allocates: the lean path calls it for every field.
func forwardingLookalike(k string) bool {
	if strings.IndexByte(k, '_') < 0 {
		return false
	}
	for _, name := range forwardingNames {
		if sameFieldName(k, name) {
			return true
		}
	}
	return false
}

// sameFieldName compares field names ignoring case, with '_' equal to '-'.
func sameFieldName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := lowerDash(a[i]), lowerDash(b[i])
		if x != y {
			return false
		}
	}
	return true
}

func lowerDash(c byte) byte {
	switch {
	case c == '_':
		return '-'
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}
