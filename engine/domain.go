package engine

import (
	"context"
	"strings"
	"time"
)

// MaxDomainsPerApp bounds the custom domains of one app.
const MaxDomainsPerApp = 50

// Domain is a custom host name routed to an app, besides <app>.<domain>.
type Domain struct {
	App       string
	Host      string
	CreatedAt time.Time
}

// DomainStore persists custom domains. A host belongs to at most one app:
// AddDomain returns ECONFLICT when it is taken; RemoveDomain returns
// ENOTFOUND when the app does not have it.
type DomainStore interface {
	AddDomain(ctx context.Context, d *Domain) error
	RemoveDomain(ctx context.Context, app, host string) error
	// ListDomains returns app's domains by host, or every app's when app is "".
	ListDomains(ctx context.Context, app string) ([]*Domain, error)
}

// Certificate states.
const (
	CertValid   = "valid"   // a certificate is in use and not expired
	CertPending = "pending" // being obtained
	CertFailed  = "failed"  // the last attempt failed; see LastError
	CertNone    = "none"    // not managed (no TLS, or not yet asked for)
)

// CertStatus is what is known about the certificate of one host.
type CertStatus struct {
	Host     string
	State    string
	Issuer   string
	NotAfter time.Time
	// RenewAt is when renewal will be attempted.
	RenewAt time.Time
	// LastError says in plain words why the last attempt failed ("DNS for
	// shop.example.com does not point to this server", "rate limited"). It
	// may be set while State is valid: then renewal is failing.
	LastError   string
	LastErrorAt time.Time
}

// Certificates obtains and renews TLS certificates. Implementations never
// request a certificate for a host the proxy does not route.
type Certificates interface {
	// Manage makes sure hosts have certificates, obtaining them in the
	// background if needed and renewing them before they expire. It returns
	// at once; stored certificates are reused, never requested again.
	Manage(ctx context.Context, hosts []string) error
	// Unmanage stops renewing hosts' certificates.
	Unmanage(ctx context.Context, hosts []string) error
	// Status reports the state of each host's certificate.
	Status(ctx context.Context, hosts []string) []CertStatus
}

// ValidateCustomDomain reports whether host can be a custom domain of an app
// on a server whose base domain is base.
func ValidateCustomDomain(host, base string) error {
	if strings.HasPrefix(host, "*.") {
		return FieldError("domain", "%q is a wildcard: add each host name separately (wildcard certificates need DNS challenges, which Quayside does not do)", host)
	}
	if err := ValidateHostname(host); err != nil {
		return err // its message already names the host and what is wrong
	}
	if !strings.Contains(host, ".") {
		return FieldError("domain", "%q is not a fully qualified domain name such as shop.example.com", host)
	}
	if host == base || host == "quayside."+base {
		return FieldError("domain", "%q belongs to the Quayside server itself", host)
	}
	if strings.HasSuffix(host, "."+base) && strings.Count(strings.TrimSuffix(host, "."+base), ".") == 0 {
		return FieldError("domain", "%q is an app host of this server: every app already answers at <app>.%s", host, base)
	}
	return nil
}
