package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mholt/acmez/v3/acme"
)

const rateLimited = "rate limited by the certificate authority; Quayside will retry later"

// explain turns a failed ACME attempt for host into one sentence for the
// user: what went wrong and what to do. own are the server's public
// addresses when known; with them a validation that reached another address
// is blamed on DNS rather than on the firewall.
func explain(host string, err error, own []netip.Addr) string {
	var p acme.Problem
	if errors.As(err, &p) {
		return explainProblem(host, p, own)
	}
	return explainOther(err)
}

func explainProblem(host string, p acme.Problem, own []netip.Addr) string {
	text := problemText(p)
	if p.Type == acme.ProblemTypeRateLimited || p.Status == 429 {
		return rateLimited
	}
	if p.Type == acme.ProblemTypeDNS || dnsFailure.MatchString(text) {
		return dnsMessage(host, "")
	}
	if p.Type == acme.ProblemTypeCAA {
		return fmt.Sprintf("a CAA record in the DNS of %s does not allow this certificate authority: add it to the record or remove the record", host)
	}
	reached, found := validatedAddr(text)
	ours := found && slices.Contains(own, reached)
	if found && len(own) > 0 && !ours {
		return dnsMessage(host, reached.String())
	}
	dnsHint := ""
	if !ours {
		dnsHint = ", and that DNS for " + host + " points to this server"
		if found {
			dnsHint += " (it points to " + reached.String() + ")"
		}
	}
	return explainValidation(host, p, text, dnsHint)
}

// explainValidation covers the CA's failures to validate: it did not reach
// this server, or what it reached gave the wrong answer. dnsHint is added
// when the address the CA used is not known to be this server's.
func explainValidation(host string, p acme.Problem, text, dnsHint string) string {
	switch {
	case p.Type == acme.ProblemTypeConnection || p.Type == acme.ProblemTypeTLS || unreachable.MatchString(text):
		return "the CA could not reach this server on port 80 or 443: check the firewall" + dnsHint
	case p.Type == acme.ProblemTypeUnauthorized || p.Type == acme.ProblemTypeIncorrectResponse:
		return fmt.Sprintf("the CA reached %s but got a wrong answer to its check: make sure nothing else answers for it on ports 80 and 443%s", host, dnsHint)
	case p.Type == acme.ProblemTypeRejectedIdentifier || p.Type == acme.ProblemTypeUnsupportedIdentifier:
		return fmt.Sprintf("the certificate authority will not issue a certificate for %s", host)
	}
	return "the certificate authority refused: " + short(text)
}

func dnsMessage(host, pointsTo string) string {
	if pointsTo != "" {
		return fmt.Sprintf("DNS for %s does not resolve to this server (it points to %s): point an A record at this server's address", host, pointsTo)
	}
	return fmt.Sprintf("DNS for %s does not resolve to this server: point an A record at this server's address", host)
}

// explainOther covers failures before any validation: reaching the CA.
func explainOther(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case errors.As(err, &unknownCA):
		return "Quayside does not trust the certificate authority's HTTPS certificate: give its root with --acme-ca-root"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &urlErr), errors.As(err, &netErr):
		return "Quayside could not reach the certificate authority: check this server's outgoing connections; Quayside will retry later"
	}
	return "obtaining the certificate failed: " + short(err.Error())
}

// problemText is everything a Problem says, subproblems included.
func problemText(p acme.Problem) string {
	parts := []string{p.Detail}
	for _, sp := range p.Subproblems {
		parts = append(parts, sp.Detail)
	}
	return strings.Join(parts, "; ")
}

var (
	dnsFailure  = regexp.MustCompile(`(?i)NXDOMAIN|no such host|no valid (A|AAAA) records|could not resolve|DNS problem|SERVFAIL`)
	unreachable = regexp.MustCompile(`(?i)connection refused|timeout|timed out|failed to connect|no route to host|connection reset|network is unreachable`)
	ipv4Re      = regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}\b`)
	ipv6Re      = regexp.MustCompile(`\[([0-9a-fA-F:]+)\]`)
)

// validatedAddr finds the IP address the CA connected to in its message
// ("dial tcp 203.0.113.9:80: connection refused").
func validatedAddr(text string) (netip.Addr, bool) {
	candidates := ipv4Re.FindAllString(text, -1)
	for _, m := range ipv6Re.FindAllStringSubmatch(text, -1) {
		candidates = append(candidates, m[1])
	}
	for _, c := range candidates {
		if a, err := netip.ParseAddr(c); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// short keeps the first 200 bytes of s, on one line.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
