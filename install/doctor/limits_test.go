package doctor

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// manyHosts is a daemon with n apps under apps.example.com, each with a
// certificate of its own, and one custom domain elsewhere.
func manyHosts(n int) *fakeDaemon {
	f := &fakeDaemon{domains: map[string][]Domain{}}
	for i := range n {
		app := fmt.Sprintf("app%d", i)
		f.domains[app] = []Domain{{Host: app + ".apps.example.com", Default: true, Cert: Certificate{State: engine.CertValid}}}
	}
	f.domains["app0"] = append(f.domains["app0"], Domain{Host: "shop.example.org", Cert: Certificate{State: engine.CertValid}})
	return f
}

func limitFinding(t *testing.T, d *doctor) Finding {
	t.Helper()
	d.checkCertificates(t.Context())
	d.checkCertificateLimits(t.Context())
	for _, f := range d.findings {
		if f.Check == "certificate limits" {
			return f
		}
	}
	require.Fail(t, "no certificate limits finding")
	return Finding{}
}

func TestCheckCertificateLimits(t *testing.T) {
	t.Run("few hosts are fine", func(t *testing.T) {
		f := limitFinding(t, &doctor{client: manyHosts(CertLimitWarnHosts), domain: "apps.example.com"})
		assert.Equal(t, LevelOK, f.Level)
		assert.Contains(t, f.Detail, "25 hosts under example.com")
	})
	t.Run("past the threshold without a wildcard it warns and says how to fix it", func(t *testing.T) {
		f := limitFinding(t, &doctor{client: manyHosts(CertLimitWarnHosts + 1), domain: "apps.example.com", cfg: Config{Settings: "/etc/quayside/quayside.env"}})
		assert.Equal(t, LevelWarn, f.Level)
		assert.Contains(t, f.Detail, "26 hosts under example.com")
		assert.Contains(t, f.Detail, "50 new certificates a week")
		assert.Contains(t, f.Fix, "*.apps.example.com")
		assert.Contains(t, f.Fix, "QUAYSIDE_DNS_PROVIDER")
		assert.Contains(t, f.Fix, "/etc/quayside/quayside.env")
	})
	t.Run("a wildcard covers the hosts one label under the domain", func(t *testing.T) {
		f := limitFinding(t, &doctor{client: manyHosts(60), domain: "apps.example.com", cfg: Config{DNSProvider: "cloudflare"}})
		assert.Equal(t, LevelOK, f.Level)
		assert.Contains(t, f.Detail, "0 hosts under example.com")
	})
	t.Run("local mode and no daemon skip", func(t *testing.T) {
		f := limitFinding(t, &doctor{client: manyHosts(60), domain: "localhost", cfg: Config{Local: func(string) bool { return true }}})
		assert.Equal(t, LevelSkip, f.Level)
		d := &doctor{}
		d.checkCertificateLimits(t.Context())
		assert.Equal(t, LevelSkip, d.findings[0].Level)
	})
}

func TestOneLabelUnder(t *testing.T) {
	for host, want := range map[string]bool{
		"shop.apps.example.com": true, "a.b.apps.example.com": false, "apps.example.com": false,
		"xapps.example.com": false, ".apps.example.com": false,
	} {
		assert.Equal(t, want, oneLabelUnder(host, "apps.example.com"), host)
	}
}
