package proxy

import (
	"net/http"
	"net/netip"
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
