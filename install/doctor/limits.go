package doctor

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// LetsEncryptWeeklyLimit is how many new certificates Let's Encrypt issues
// per registered domain (example.com for shop.apps.example.com) in a week.
const LetsEncryptWeeklyLimit = 50

// CertLimitWarnHosts is how many hosts under one registered domain may use
// a certificate of their own before doctor warns: past it, a week of new
// apps, previews and domains can reach LetsEncryptWeeklyLimit.
const CertLimitWarnHosts = 25

// checkCertificateLimits warns when more than CertLimitWarnHosts hosts
// under the server's registered domain use a certificate each: Let's
// Encrypt's weekly limit per registered domain would then refuse new ones
// (new previews first). A wildcard certificate (--dns-provider) covers the
// hosts one label under the domain with one certificate.
func (d *doctor) checkCertificateLimits(context.Context) {
	if d.client == nil {
		d.add("certificate limits", LevelSkip, "skipped: the daemon does not answer", "")
		return
	}
	if d.local() {
		d.add("certificate limits", LevelSkip, "skipped: "+skipReason(false), "")
		return
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(d.domain)
	if err != nil {
		d.add("certificate limits", LevelSkip, fmt.Sprintf("skipped: %s has no registered domain (%v)", d.domain, err), "")
		return
	}
	n := len(d.perHostUnder(reg))
	if n <= CertLimitWarnHosts {
		d.add("certificate limits", LevelOK, fmt.Sprintf("%d hosts under %s use a certificate of their own (Let's Encrypt issues %d a week per registered domain)", n, reg, LetsEncryptWeeklyLimit), "")
		return
	}
	d.add("certificate limits", LevelWarn,
		fmt.Sprintf("%d hosts under %s use a certificate of their own and no wildcard certificate is configured: Let's Encrypt issues at most %d new certificates a week per registered domain, so new apps and previews will be refused HTTPS", n, reg, LetsEncryptWeeklyLimit),
		fmt.Sprintf("get one wildcard certificate for *.%s through DNS: set QUAYSIDE_DNS_PROVIDER and its token in %s (see the README, \"Certificates for previews\"), then restart quayside", d.domain, d.cfg.Settings))
}

// perHostUnder returns the hosts with a certificate of their own whose
// registered domain is reg, leaving out those a wildcard certificate for
// the server's domain covers when one is configured.
func (d *doctor) perHostUnder(reg string) []string {
	var out []string
	for _, h := range d.certHosts {
		if r, err := publicsuffix.EffectiveTLDPlusOne(h); err != nil || r != reg {
			continue
		}
		if d.cfg.DNSProvider != "" && oneLabelUnder(h, d.domain) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// oneLabelUnder reports whether host is exactly one label under domain,
// the names a certificate for *.domain covers.
func oneLabelUnder(host, domain string) bool {
	label, ok := strings.CutSuffix(host, "."+domain)
	return ok && label != "" && !strings.Contains(label, ".")
}
