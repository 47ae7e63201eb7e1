package certs

import (
	"net/http"

	"github.com/caddyserver/certmagic"
)

// HTTPChallengeHandler wraps the proxy's plain HTTP handler: it answers the
// CA's HTTP-01 challenge requests (GET /.well-known/acme-challenge/<token>)
// for hosts Allowed accepts and passes everything else to next. In local
// mode it returns next.
func (m *Manager) HTTPChallengeHandler(next http.Handler) http.Handler {
	if m.acme == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if certmagic.LooksLikeHTTPChallenge(r) && m.cfg.Allowed(requestHost(r.Host)) &&
			m.acme.issuer.HandleHTTPChallenge(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}
