package certs

import (
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/libdns/cloudflare"
	"github.com/libdns/rfc2136"

	"github.com/quayside/quayside/engine"
)

// DNS provider names (--dns-provider) and the settings each reads from
// the settings file. Credentials never come from the command line.
const (
	DNSCloudflare = "cloudflare"
	DNSRFC2136    = "rfc2136"
)

// Settings of the DNS providers, as KEY=VALUE lines of the settings file.
const (
	SettingCloudflareToken     = "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN"  // Zone.DNS:Edit on the zone
	SettingCloudflareZoneToken = "QUAYSIDE_DNS_CLOUDFLARE_ZONE_TOKEN" // optional Zone:Read on all zones
	SettingRFC2136Server       = "QUAYSIDE_DNS_RFC2136_SERVER"        // host:port of the primary name server
	SettingRFC2136KeyName      = "QUAYSIDE_DNS_RFC2136_KEY_NAME"      // TSIG key name
	SettingRFC2136KeyAlg       = "QUAYSIDE_DNS_RFC2136_KEY_ALG"       // TSIG algorithm, default hmac-sha256
	SettingRFC2136Key          = "QUAYSIDE_DNS_RFC2136_KEY"           // TSIG secret, base64
)

// DNSProviders names the providers NewDNSProvider knows.
func DNSProviders() []string { return []string{DNSCloudflare, DNSRFC2136} }

// NewDNSProvider makes the provider called name from settings (the
// settings file's KEY=VALUE pairs). client, when not nil, carries the
// provider's HTTP API calls (Cloudflare). A missing setting or an unknown
// name is EINVALID, with what to set.
func NewDNSProvider(name string, settings map[string]string, client *http.Client) (DNSProvider, error) {
	switch strings.ToLower(name) {
	case DNSCloudflare:
		if err := need(name, settings, SettingCloudflareToken); err != nil {
			return nil, err
		}
		p := &cloudflare.Provider{APIToken: settings[SettingCloudflareToken], ZoneToken: settings[SettingCloudflareZoneToken]}
		if client != nil {
			p.HTTPClient = client
		}
		return p, nil
	case DNSRFC2136:
		return newRFC2136(settings)
	}
	return nil, engine.FieldError("dns-provider", "--dns-provider %q is not one of %s", name, strings.Join(DNSProviders(), ", "))
}

func newRFC2136(s map[string]string) (DNSProvider, error) {
	if err := need(DNSRFC2136, s, SettingRFC2136Server, SettingRFC2136KeyName, SettingRFC2136Key); err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(s[SettingRFC2136Server]); err != nil {
		return nil, engine.FieldError("dns-provider", "%s=%q is not host:port (the primary name server, such as ns1.example.com:53)", SettingRFC2136Server, s[SettingRFC2136Server])
	}
	alg := strings.TrimSuffix(strings.ToLower(s[SettingRFC2136KeyAlg]), ".")
	if alg == "" {
		alg = "hmac-sha256"
	}
	if !slices.Contains([]string{"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}, alg) {
		return nil, engine.FieldError("dns-provider", "%s=%q is not a TSIG algorithm: use hmac-sha256 (or hmac-sha512)", SettingRFC2136KeyAlg, alg)
	}
	return &rfc2136.Provider{Server: s[SettingRFC2136Server], KeyName: s[SettingRFC2136KeyName], KeyAlg: alg + ".", Key: s[SettingRFC2136Key]}, nil
}

// need reports the settings provider needs that are empty.
func need(provider string, settings map[string]string, keys ...string) error {
	var missing []string
	for _, k := range keys {
		if strings.TrimSpace(settings[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return engine.FieldError("dns-provider", "--dns-provider %s needs %s in the settings file (KEY=VALUE lines, mode 0600)", provider, strings.Join(missing, ", "))
}
