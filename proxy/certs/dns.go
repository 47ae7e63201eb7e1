package certs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/mholt/acmez/v3/acme"
)

// DNSProvider is what the DNS-01 challenge needs of a DNS service: to add
// the challenge's TXT record to a zone and to delete it again. Every libdns
// provider (github.com/libdns/*) is one.
type DNSProvider interface {
	libdns.RecordAppender
	libdns.RecordDeleter
}

// DNSConfig turns on the wildcard certificate for *.Domain (Config.Domain),
// obtained through the ACME DNS-01 challenge: the hosts one label under the
// domain (apps and previews) share it instead of one certificate each.
type DNSConfig struct {
	// Provider sets the challenge's TXT records. Required.
	Provider DNSProvider
	// Zone is the DNS zone the provider manages that holds the domain
	// (example.com for apps.example.com). Required.
	Zone string
	// Propagation is how long to wait after adding the TXT record before
	// the CA is told to look: time for the provider's secondaries to get
	// it. 0 asks at once.
	Propagation time.Duration
}

func (d *DNSConfig) validate(domain string) error {
	if d.Provider == nil {
		return errors.New("certs: DNSConfig.Provider is required")
	}
	d.Zone = normalizeHost(d.Zone)
	if d.Zone == "" || (domain != d.Zone && !strings.HasSuffix(domain, "."+d.Zone)) {
		return fmt.Errorf("certs: the DNS zone %q does not hold the domain %q", d.Zone, domain)
	}
	if d.Propagation < 0 {
		return errors.New("certs: DNSConfig.Propagation must not be negative")
	}
	return nil
}

// dnsSolver solves DNS-01 challenges with a DNSProvider: it adds the TXT
// record _acme-challenge.<name> to the zone and deletes it afterwards.
type dnsSolver struct {
	cfg DNSConfig
}

// Present adds the challenge's TXT record and waits cfg.Propagation.
func (s *dnsSolver) Present(ctx context.Context, chal acme.Challenge) error {
	rec, err := s.record(chal)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Provider.AppendRecords(ctx, s.cfg.Zone, []libdns.Record{rec}); err != nil {
		return fmt.Errorf("add the DNS-01 TXT record %s in zone %s: %w", rec.Name, s.cfg.Zone, err)
	}
	if s.cfg.Propagation == 0 {
		return nil
	}
	t := time.NewTimer(s.cfg.Propagation)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// CleanUp deletes the challenge's TXT record.
func (s *dnsSolver) CleanUp(ctx context.Context, chal acme.Challenge) error {
	rec, err := s.record(chal)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Provider.DeleteRecords(ctx, s.cfg.Zone, []libdns.Record{rec}); err != nil {
		return fmt.Errorf("delete the DNS-01 TXT record %s in zone %s: %w", rec.Name, s.cfg.Zone, err)
	}
	return nil
}

// record is the TXT record of chal, named relative to the zone.
func (s *dnsSolver) record(chal acme.Challenge) (libdns.TXT, error) {
	fqdn := normalizeHost(chal.DNS01TXTRecordName())
	name, ok := strings.CutSuffix(fqdn, "."+s.cfg.Zone)
	if !ok {
		return libdns.TXT{}, fmt.Errorf("the DNS-01 record %s is not in zone %s", fqdn, s.cfg.Zone)
	}
	return libdns.TXT{Name: name, TTL: time.Minute, Text: chal.DNS01KeyAuthorization()}, nil
}
