package auth

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// SameOrigin reports whether a browser says r comes from the origin r is
// addressed to: the scheme r arrived over (https with TLS, else http), its
// Host and port. An Origin header must match all three; default ports are
// implied (https://q.example and https://q.example:443 are one origin), and
// http and https are different origins. Apps live on sibling hosts
// (<app>.<domain>) of the control host, so a sibling host is as foreign as
// any other site.
//
// A request without Origin passes unless Sec-Fetch-Site says another site
// sent it: non-browser clients send neither, and browsers send Origin on
// every cross-origin request that matters (form posts, scripts,
// WebSockets). Origin "null" (a page with Referrer-Policy no-referrer, a
// sandboxed frame) passes only when Sec-Fetch-Site says same-origin.
// Callers that accept an ambient credential (the session cookie) on a
// request without Origin must decide about that themselves.
func SameOrigin(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	switch site {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	switch origin {
	case "":
		return true
	case "null":
		return site == "same-origin"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return originOf(origin) == canonicalOrigin(scheme, r.Host)
}

// originOf returns the canonical form of an Origin header value
// (scheme://host:port, lowercase), "" when it is not an http(s) origin.
func originOf(origin string) string {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	return canonicalOrigin(u.Scheme, u.Host)
}

// canonicalOrigin returns scheme://host:port with the scheme's default port
// filled in and the host in lowercase, "" for a host:port that does not parse.
func canonicalOrigin(scheme, hostport string) string {
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	} else if strings.Contains(strings.Trim(hostport, "[]"), ":") && !strings.HasPrefix(hostport, "[") {
		return "" // a colon without a parseable port
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "" {
		return ""
	}
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
