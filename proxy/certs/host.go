package certs

import (
	"crypto/tls"
	"net"
	"strings"

	"github.com/caddyserver/certmagic"
)

// normalizeHost lowercases host and drops a trailing dot and IPv6 brackets.
// It allocates only when something changes.
func normalizeHost(host string) string {
	host = strings.TrimSpace(host)
	host = strings.TrimSuffix(host, ".")
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(host)
		}
	}
	return host
}

// requestHost returns the host of an HTTP Host header without its port.
func requestHost(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return normalizeHost(h)
	}
	return normalizeHost(hostport)
}

// serverName returns the name a handshake asks for: the SNI, or without SNI
// (clients send none for IP addresses) the local address it came in on.
func serverName(hello *tls.ClientHelloInfo) string {
	if hello.ServerName != "" {
		return normalizeHost(hello.ServerName)
	}
	if hello.Conn == nil {
		return ""
	}
	if addr, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
		return addr.IP.String()
	}
	return ""
}

// isIP reports whether host is an IP address.
func isIP(host string) bool { return net.ParseIP(host) != nil }

// qualifies reports whether host (normalized) can be the name of a
// certificate: a host name or an IP address, no wildcard (those need DNS
// challenges), nothing a host name cannot contain.
func qualifies(host string) bool {
	if isIP(host) {
		return true
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return certmagic.SubjectQualifiesForCert(host)
}
