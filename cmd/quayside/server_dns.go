package main

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/quayside/quayside/install/doctor"
	"github.com/quayside/quayside/proxy/certs"
)

// dnsFlags turn on the wildcard certificate for *.<domain> through the
// ACME DNS-01 challenge. The provider's credentials are read from the
// settings file, never from the command line (where ps shows them).
type dnsFlags struct {
	DNSProvider    string        `name:"dns-provider" env:"QUAYSIDE_DNS_PROVIDER" placeholder:"NAME" help:"Get one wildcard certificate for *.<domain> through DNS (ACME DNS-01) instead of one per app and preview: cloudflare or rfc2136. Its credentials go in --dns-settings (README: Certificates for previews)."`
	DNSSettings    string        `name:"dns-settings" env:"QUAYSIDE_DNS_SETTINGS" default:"/etc/quayside/quayside.env" help:"Settings file (KEY=VALUE lines, mode 0600) with the DNS provider's credentials."`
	DNSZone        string        `name:"dns-zone" env:"QUAYSIDE_DNS_ZONE" help:"DNS zone the provider manages that holds --domain. Default: the registered domain of --domain (example.com for apps.example.com)."`
	DNSPropagation time.Duration `name:"dns-propagation" env:"QUAYSIDE_DNS_PROPAGATION" default:"15s" help:"How long to wait after adding the challenge's TXT record before the CA checks it."`
}

// config returns the certificate manager's DNS config for domain, nil
// when no provider is named.
func (f dnsFlags) config(domain string) (*certs.DNSConfig, error) {
	if f.DNSProvider == "" {
		return nil, nil
	}
	if certs.ModeFor(domain) == certs.ModeLocal {
		return nil, fieldErr("dns-provider", "--dns-provider needs a public --domain: %s is served in local mode, with certificates from the local CA", domain)
	}
	if f.DNSPropagation < 0 || f.DNSPropagation > 10*time.Minute {
		return nil, fieldErr("dns-propagation", "--dns-propagation must be between 0 and 10m")
	}
	settings, err := readSecretSettings(f.DNSSettings)
	if err != nil {
		return nil, err
	}
	p, err := certs.NewDNSProvider(f.DNSProvider, settings, nil)
	if err != nil {
		return nil, err
	}
	zone := f.DNSZone
	if zone == "" {
		if zone, err = publicsuffix.EffectiveTLDPlusOne(domain); err != nil {
			return nil, fieldErr("dns-zone", "cannot tell the DNS zone of %s (%v): set --dns-zone", domain, err)
		}
	}
	return &certs.DNSConfig{Provider: p, Zone: zone, Propagation: f.DNSPropagation}, nil
}

// readSecretSettings reads a settings file that holds credentials: it
// must be a regular file that only its owner, root or this user, can read
// or write. The checks are made on the open file that is then read, so a
// file swapped in at the path meanwhile is never used.
func readSecretSettings(path string) (map[string]string, error) {
	// O_NONBLOCK: a FIFO at the path is refused below, not waited on.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fieldErr("dns-settings", "cannot read the DNS provider's settings: %v; put its credentials in %s (mode 0600)", err, path)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat dns settings: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fieldErr("dns-settings", "--dns-settings %s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fieldErr("dns-settings", "%s holds credentials but others may read or change it (mode %04o): chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Getuid() {
		return nil, fieldErr("dns-settings", "%s holds credentials but belongs to another user (uid %d): chown it to root or to the user quayside runs as", path, st.Uid)
	}
	return doctor.ParseSettings(f), nil
}
