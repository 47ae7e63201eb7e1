package proxy

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
)

// hstsValue is sent when an app turns HSTS on: one year, this host only.
var hstsValue = []string{"max-age=31536000"}

// edgeRules are an app's edge settings, prepared at SetRoute time. A route
// without any has none, so the common path costs one nil check.
type edgeRules struct {
	redirect    bool
	hsts        bool
	maintenance *page
	auth        *basicAuth
}

// newEdgeRules prepares app's edge settings e, or returns nil when they
// ask for nothing. p.mu is held.
func (p *Proxy) newEdgeRules(app string, e engine.Edge) *edgeRules {
	r := &edgeRules{redirect: e.HTTPSRedirect, hsts: e.HSTS}
	if e.Maintenance {
		pg := pageMaintenance
		if e.MaintenancePage != "" {
			pg = rawPage(http.StatusServiceUnavailable, e.MaintenancePage)
		}
		r.maintenance = &pg
	}
	if e.BasicAuthUser != "" && e.BasicAuthHash != "" {
		r.auth = &basicAuth{realm: `Basic realm="` + app + `", charset="UTF-8"`, user: e.BasicAuthUser,
			hash: e.BasicAuthHash, queue: p.authQueueOf(app), check: p.checkPassword}
	}
	if !r.redirect && !r.hsts && r.maintenance == nil && r.auth == nil {
		return nil
	}
	return r
}

// apply answers r itself when the rules say so (redirect, maintenance,
// missing credentials) and reports whether it did; otherwise it prepares
// w's headers (HSTS) for the forwarded answer.
func (p *Proxy) apply(rules *edgeRules, w http.ResponseWriter, r *http.Request, host string) bool {
	if r.TLS == nil && rules.redirect && p.hasCert(host) {
		p.redirectToHTTPS(w, r, host)
		return true
	}
	if r.TLS != nil && rules.hsts {
		w.Header()["Strict-Transport-Security"] = hstsValue
	}
	if rules.maintenance != nil {
		writePageRetry(w, rules.maintenance, p.retryAfter)
		return true
	}
	if rules.auth != nil {
		return p.authenticate(rules.auth, w, r)
	}
	return false
}

// authenticate answers r itself unless its basic credentials are allowed:
// 401 when they are missing or wrong, 429 when the app's check queue is
// full. It reports whether it answered.
func (p *Proxy) authenticate(a *basicAuth, w http.ResponseWriter, r *http.Request) bool {
	switch a.judge(r) {
	case allowed:
		return false
	case busy:
		writePageRetry(w, &pageTooManyAttempts, p.retryAfter)
	default:
		writePageWith(w, &pageUnauthorized, "WWW-Authenticate", a.realm)
	}
	return true
}

// redirectToHTTPS answers with a permanent redirect that keeps the method.
func (p *Proxy) redirectToHTTPS(w http.ResponseWriter, r *http.Request, host string) {
	target := "https://" + host
	if p.httpsPort != "" && p.httpsPort != "443" {
		target = "https://" + net.JoinHostPort(host, p.httpsPort)
	}
	target += r.URL.RequestURI()
	w.Header().Set("Location", target)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusPermanentRedirect)
}

func (p *Proxy) hasCert(host string) bool {
	return p.certOK != nil && p.certOK(host)
}

// rawPage is a page with the app's own HTML.
func rawPage(status int, html string) page {
	body := []byte(html)
	return page{status: status, body: body, length: []string{strconv.Itoa(len(body))}}
}

var (
	pageMaintenance = newPage(http.StatusServiceUnavailable, "Down for maintenance",
		"This app is down for maintenance. Please try again later.")
	pageUnauthorized = newPage(http.StatusUnauthorized, "Sign in required",
		"This app needs a user name and password.")
	pageTooManyAttempts = newPage(http.StatusTooManyRequests, "Too many sign-in attempts",
		"Too many sign-in attempts right now. Please try again in a moment.")
)

// isHost reports whether host is served: an app's or the control host.
func (p *Proxy) isHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if p.controlHost != "" && host == p.controlHost {
		return true
	}
	return p.table.Load().hosts[hostKey(host)] != nil
}

// serveControl serves Quayside's own host, always over HTTPS once it has a
// certificate: its pages set secure cookies.
func (p *Proxy) serveControl(w http.ResponseWriter, r *http.Request, host string) {
	if r.TLS == nil && p.hasCert(host) {
		p.redirectToHTTPS(w, r, host)
		return
	}
	if r.TLS != nil {
		w.Header()["Strict-Transport-Security"] = hstsValue
	}
	p.control.ServeHTTP(w, r)
}

// Serves reports whether host belongs to an app or is the control host: the
// hosts a certificate may be obtained for.
func (p *Proxy) Serves(host string) bool { return p.isHost(host) }
