package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"testing"

	"github.com/mholt/acmez/v3/acme"
	"github.com/stretchr/testify/assert"
)

func problem(typ, detail string) error {
	return fmt.Errorf("[shop.test] solving challenge: %w", acme.Problem{Type: acme.ProblemTypeNamespace + typ, Detail: detail, Status: 403})
}

func TestExplain(t *testing.T) {
	own := []netip.Addr{netip.MustParseAddr("203.0.113.7")}
	tests := []struct {
		name string
		err  error
		own  []netip.Addr
		want string
	}{
		{"rate limit", problem("rateLimited", "too many certificates (5) already issued for this exact set of identifiers"), nil,
			"rate limited by the certificate authority; Quayside will retry later"},
		{"429 without the type", acme.Problem{Status: 429, Detail: "slow down"}, nil,
			"rate limited by the certificate authority; Quayside will retry later"},
		{"NXDOMAIN", problem("dns", "DNS problem: NXDOMAIN looking up A for shop.test - check that a DNS record exists for this domain"), nil,
			"DNS for shop.test does not resolve to this server: point an A record at this server's address"},
		{"no such host in a connection problem", problem("connection", "dial tcp: lookup shop.test: no such host"), nil,
			"DNS for shop.test does not resolve to this server: point an A record at this server's address"},
		{"refused at another address", problem("connection", `Get "http://shop.test/x": dial tcp 198.51.100.4:80: connect: connection refused`), own,
			"DNS for shop.test does not resolve to this server (it points to 198.51.100.4): point an A record at this server's address"},
		{"wrong answer from another address", problem("unauthorized", "198.51.100.4: Invalid response from http://shop.test/.well-known/acme-challenge/x: 404"), own,
			"DNS for shop.test does not resolve to this server (it points to 198.51.100.4): point an A record at this server's address"},
		{"IPv6 elsewhere", problem("connection", "dial tcp [2001:db8::1]:80: i/o timeout"), own,
			"DNS for shop.test does not resolve to this server (it points to 2001:db8::1): point an A record at this server's address"},
		{"timeout at our address", problem("connection", "203.0.113.7: Timeout during connect (likely firewall problem)"), own,
			"the CA could not reach this server on port 80 or 443: check the firewall"},
		{"timeout, addresses unknown", problem("connection", "203.0.113.7: Timeout during connect (likely firewall problem)"), nil,
			"the CA could not reach this server on port 80 or 443: check the firewall, and that DNS for shop.test points to this server (it points to 203.0.113.7)"},
		{"tls-alpn cannot connect", problem("unauthorized", "Failed to connect to 203.0.113.7:443 for the tls-alpn-01 challenge"), own,
			"the CA could not reach this server on port 80 or 443: check the firewall"},
		{"wrong answer at our address", problem("incorrectResponse", "203.0.113.7: key authorization mismatch"), own,
			"the CA reached shop.test but got a wrong answer to its check: make sure nothing else answers for it on ports 80 and 443"},
		{"CAA", problem("caa", "CAA record for shop.test prevents issuance"), nil,
			"a CAA record in the DNS of shop.test does not allow this certificate authority: add it to the record or remove the record"},
		{"rejected", problem("rejectedIdentifier", "blocked by policy"), nil,
			"the certificate authority will not issue a certificate for shop.test"},
		{"other problem", problem("serverInternal", "the CA is\n  having a bad day"), nil,
			"the certificate authority refused: the CA is having a bad day"},
		{"CA unreachable", fmt.Errorf("getting directory: %w", &url.Error{Op: "Get", URL: "https://ca/dir", Err: errors.New("connection refused")}), nil,
			"Quayside could not reach the certificate authority: check this server's outgoing connections; Quayside will retry later"},
		{"CA timeout", context.DeadlineExceeded, nil,
			"Quayside could not reach the certificate authority: check this server's outgoing connections; Quayside will retry later"},
		{"untrusted CA", fmt.Errorf("x: %w", x509.UnknownAuthorityError{}), nil,
			"Quayside does not trust the certificate authority's HTTPS certificate: give its root with --acme-ca-root"},
		{"anything else", errors.New("failed storage check: disk full"), nil,
			"obtaining the certificate failed: failed storage check: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, explain("shop.test", tt.err, tt.own))
		})
	}
}

func TestShortCutsLongText(t *testing.T) {
	assert.Equal(t, "one line", short(" one\n\tline "))
	s := short(fmt.Sprintf("%0300d", 7))
	assert.Len(t, s, 203)
	assert.Equal(t, "...", s[200:])
}

func TestWithCauseKeepsWhatLedToTheLimit(t *testing.T) {
	dns := "DNS for shop.test does not resolve to this server: point an A record at this server's address"
	assert.Equal(t, rateLimited, withCause(rateLimited, ""))
	assert.Equal(t, rateLimited+"; before that: "+dns, withCause(rateLimited, dns))
	assert.Equal(t, rateLimited+"; before that: "+dns, withCause(rateLimited, renewalFailed+dns))
	twice := rateLimited + "; before that: " + dns
	assert.Equal(t, twice, withCause(rateLimited, twice), "a second limit keeps the original cause")
	assert.Equal(t, twice, withCause(rateLimited, renewalFailed+twice))
}
