package proxy

import (
	"bufio"
	"net"
	"net/http"
	"strings"
)

// writeHead writes the head of r as the lean path sends it to a backend:
// the client's method and request target, HTTP/1.1, the client's Host,
// the client's header fields less the hop-by-hop ones (and those the
// Connection field names) and less Forwarded, X-Forwarded-*, X-Real-IP and
// True-Client-IP, then X-Forwarded-For, X-Forwarded-Host and
// X-Forwarded-Proto as writeForwarded writes them. When r comes from a
// trusted proxy (trust.go), its X-Real-IP and True-Client-IP stay. The
// result is what the generic path (rewrite and setForwarded) sends,
// written straight into the connection's buffer. The server already rejected field names and
// values that are not valid HTTP, so nothing here can split the head.
// Errors stick in bw and surface at its Flush.
func writeHead(bw *bufio.Writer, r *http.Request, trusted bool) {
	_, _ = bw.WriteString(r.Method)
	_ = bw.WriteByte(' ')
	_, _ = bw.WriteString(requestTarget(r))
	_, _ = bw.WriteString(" HTTP/1.1\r\nHost: ")
	_, _ = bw.WriteString(r.Host)
	_, _ = bw.WriteString("\r\n")
	conn := r.Header["Connection"]
	for k, vv := range r.Header {
		if dropFromRequest(k) || (conn != nil && tokenListed(conn, k)) || (!trusted && clientIPField(k)) || forwardingLookalike(k) {
			continue
		}
		for _, v := range vv {
			writeField(bw, k, v)
		}
	}
	if tokenListed(r.Header["Te"], "trailers") {
		_, _ = bw.WriteString("Te: trailers\r\n")
	}
	if r.Method == http.MethodPut {
		_, _ = bw.WriteString("Content-Length: 0\r\n") // some servers insist on it
	}
	writeForwarded(bw, r, trusted)
	_, _ = bw.WriteString("\r\n")
}

func writeField(bw *bufio.Writer, k, v string) {
	_, _ = bw.WriteString(k)
	_, _ = bw.WriteString(": ")
	_, _ = bw.WriteString(v)
	_, _ = bw.WriteString("\r\n")
}

// writeForwarded writes the X-Forwarded-* fields as setForwarded sets them.
func writeForwarded(bw *bufio.Writer, r *http.Request, trusted bool) {
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		_, _ = bw.WriteString("X-Forwarded-For: ")
		if trusted {
			for _, prior := range r.Header["X-Forwarded-For"] {
				_, _ = bw.WriteString(prior)
				_, _ = bw.WriteString(", ")
			}
		}
		_, _ = bw.WriteString(ip)
		_, _ = bw.WriteString("\r\n")
	}
	if !trusted || !writeClaimed(bw, r, "X-Forwarded-Host") {
		writeField(bw, "X-Forwarded-Host", r.Host)
	}
	if trusted && writeClaimed(bw, r, "X-Forwarded-Proto") {
		return
	}
	if r.TLS != nil {
		_, _ = bw.WriteString("X-Forwarded-Proto: https\r\n")
	} else {
		_, _ = bw.WriteString("X-Forwarded-Proto: http\r\n")
	}
}

// requestTarget returns the request target to send: the client's own
// (path and query exactly as sent, or "*"), or the origin form of an
// absolute-form target.
func requestTarget(r *http.Request) string {
	if u := r.RequestURI; u != "" && (u[0] == '/' || u == "*") {
		return u
	}
	return r.URL.RequestURI()
}

// dropFromRequest reports whether the lean path leaves the canonical
// header key k out of a forwarded request: hop-by-hop fields, fields it
// writes itself, and the client's forwarding claims.
func dropFromRequest(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"Host", "Content-Length",
		"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto":
		return true
	}
	return false
}

// dropFromResponse reports whether the canonical header key k is a
// hop-by-hop field the proxy does not pass on to the client.
func dropFromResponse(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// tokenListed reports whether the comma-separated lists in values hold
// name, compared without regard to case, as Connection and TE are read.
func tokenListed(values []string, name string) bool {
	for _, v := range values {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(tok), name) {
				return true
			}
		}
	}
	return false
}

// copyResponseHeader copies the end-to-end fields of a backend's response
// header src into dst, sharing the value slices (src is not used again).
func copyResponseHeader(dst, src http.Header) {
	conn := src["Connection"]
	for k, vv := range src {
		if dropFromResponse(k) || (conn != nil && tokenListed(conn, k)) {
			continue
		}
		dst[k] = vv
	}
}

// writeClaimed writes the values of r's field k, as a trusted proxy sent
// them, and reports whether there were any.
func writeClaimed(bw *bufio.Writer, r *http.Request, k string) bool {
	vv := r.Header[k]
	for _, v := range vv {
		writeField(bw, k, v)
	}
	return len(vv) > 0
}
