package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Mode says where certificates come from.
type Mode string

const (
	// ModeACME obtains certificates from an ACME CA (Let's Encrypt by
	// default); the server must be reachable on ports 80 or 443 under every
	// host name it serves.
	ModeACME Mode = "acme"
	// ModeLocal issues certificates from a CA that Quayside creates in Dir,
	// for laptops and servers without a public name.
	ModeLocal Mode = "local"
)

// LetsEncrypt is the default ACME directory.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// ModeFor returns the mode that suits a server whose base domain is domain:
// ModeLocal for localhost, a name under .localhost, or an IP address;
// ModeACME otherwise.
func ModeFor(domain string) Mode {
	d := normalizeHost(domain)
	if d == "localhost" || strings.HasSuffix(d, ".localhost") || isIP(d) {
		return ModeLocal
	}
	return ModeACME
}

// Config configures a Manager.
type Config struct {
	// Dir holds certificates, keys, the ACME account and the state of
	// failed attempts (created 0700). Keep it across restarts and upgrades:
	// it is what makes certificates reused instead of ordered again.
	Dir string
	// Mode is ModeACME or ModeLocal (see ModeFor). Required.
	Mode Mode
	// Allowed reports whether host (lowercase, no port) may have a
	// certificate: it is the proxy's route table (app hosts, custom domains
	// and the control host). It is called on every TLS handshake, so it
	// must be fast and safe for concurrent use. Required.
	Allowed func(host string) bool
	// Logger receives the package's and certmagic's logs; nil discards them.
	Logger *slog.Logger
	// Domain is the server's base domain. In local mode the local CA's root
	// is constrained to names under it (and to loopback addresses), so it
	// signs for nothing else; "" means localhost.
	Domain string

	// CA is the ACME directory URL; "" means Let's Encrypt production.
	CA string
	// Email is the ACME account's contact address (optional, recommended:
	// the CA warns there about expiring certificates).
	Email string
	// TrustedRoots is the PEM of a private CA that signed the ACME server's
	// own HTTPS certificate (Pebble, step-ca); nil trusts the system roots.
	TrustedRoots []byte
	// DisableHTTP01 and DisableTLSALPN01 turn one challenge type off; by
	// default both are used.
	DisableHTTP01, DisableTLSALPN01 bool
	// HTTPAddr and HTTPSAddr are where the proxy listens for plain HTTP and
	// for TLS ("host:port"; defaults ":80" and ":443"). certmagic only needs
	// them to know that the proxy answers the challenges there, so that it
	// never opens a listener of its own.
	HTTPAddr, HTTPSAddr string
	// DNS, in ACME mode, gets one wildcard certificate for *.Domain through
	// the DNS-01 challenge, which the hosts one label under Domain share;
	// other hosts (custom domains) still get their own. nil: every host
	// gets its own.
	DNS *DNSConfig
	// ServerAddrs are this server's public IP addresses, optional. With
	// them a failed validation can tell "DNS points elsewhere" from "the
	// firewall blocks the CA".
	ServerAddrs []netip.Addr
}

// validate checks cfg and fills in defaults.
func (cfg *Config) validate() error {
	if cfg.Dir == "" {
		return errors.New("certs: Config.Dir is required")
	}
	if cfg.Allowed == nil {
		return errors.New("certs: Config.Allowed is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch cfg.Mode {
	case ModeLocal:
		return nil
	case ModeACME:
		return cfg.validateACME()
	default:
		return fmt.Errorf("certs: unknown Config.Mode %q", cfg.Mode)
	}
}

func (cfg *Config) validateACME() error {
	if cfg.CA == "" {
		cfg.CA = LetsEncrypt
	}
	if !strings.HasPrefix(cfg.CA, "https://") {
		return fmt.Errorf("certs: the ACME directory %q must be an https:// URL", cfg.CA)
	}
	if cfg.DisableHTTP01 && cfg.DisableTLSALPN01 {
		return errors.New("certs: at least one of HTTP-01 and TLS-ALPN-01 must be enabled")
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = ":80"
	}
	if cfg.HTTPSAddr == "" {
		cfg.HTTPSAddr = ":443"
	}
	if cfg.DNS != nil {
		cfg.Domain = normalizeHost(cfg.Domain)
		if err := cfg.DNS.validate(cfg.Domain); err != nil {
			return err
		}
	}
	if _, err := cfg.trustedRoots(); err != nil {
		return err
	}
	if _, _, err := splitPort(cfg.HTTPAddr); err != nil {
		return err
	}
	_, _, err := splitPort(cfg.HTTPSAddr)
	return err
}

// trustedRoots parses TrustedRoots; nil means the system roots.
func (cfg *Config) trustedRoots() (*x509.CertPool, error) {
	if len(cfg.TrustedRoots) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cfg.TrustedRoots) {
		return nil, errors.New("certs: Config.TrustedRoots holds no PEM certificate")
	}
	return pool, nil
}

// splitPort splits "host:port" into host and a numeric port.
func splitPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("certs: listen address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("certs: listen address %q has no valid port", addr)
	}
	return host, port, nil
}
