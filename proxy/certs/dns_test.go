package certs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/pebbletest"
)

// fakeCloudflare is a stand-in for Cloudflare's DNS API (the endpoints the
// libdns provider calls) that puts the TXT records it is given into
// Pebble's DNS, where Pebble looks for them: the real API is on the
// internet, out of reach here.
type fakeCloudflare struct {
	t      *testing.T
	pebble *pebbletest.Server
	zone   string
	token  string

	mu      sync.Mutex
	records map[string]map[string]any // by ID
	next    int
	calls   []string
	denied  int
}

func newFakeCloudflare(t *testing.T, p *pebbletest.Server, zone, token string) (*fakeCloudflare, *http.Client) {
	f := &fakeCloudflare{t: t, pebble: p, zone: zone, token: token, records: map[string]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	client := &http.Client{Transport: rewriteTransport{target: target}, Timeout: 10 * time.Second}
	return f, client
}

// rewriteTransport sends every request to target instead of its host.
type rewriteTransport struct{ target *url.URL }

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = rt.target.Scheme, rt.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

func (f *fakeCloudflare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		f.denied++
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "errors": []any{map[string]any{"code": 9109, "message": "Invalid access token"}}})
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/client/v4")
	switch {
	case r.Method == http.MethodGet && path == "/zones":
		var zones []any
		if r.URL.Query().Get("name") == f.zone {
			zones = append(zones, map[string]any{"id": "z1", "name": f.zone})
		}
		f.reply(w, zones)
	case r.Method == http.MethodPost && path == "/zones/z1/dns_records":
		var rec map[string]any
		require.NoError(f.t, json.NewDecoder(r.Body).Decode(&rec))
		f.next++
		rec["id"] = fmt.Sprint("r", f.next)
		if name := rec["name"].(string); name != f.zone && !strings.HasSuffix(name, "."+f.zone) {
			rec["name"] = name + "." + f.zone // the API takes names relative to the zone, and answers full ones
		}
		f.records[rec["id"].(string)] = rec
		f.pebble.SetTXT(f.t, rec["name"].(string), strings.Trim(rec["content"].(string), `"`))
		f.reply(w, rec)
	case r.Method == http.MethodGet && path == "/zones/z1/dns_records":
		var out []any
		for _, rec := range f.records {
			out = append(out, rec)
		}
		f.replyPage(w, out)
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/zones/z1/dns_records/"):
		id := strings.TrimPrefix(path, "/zones/z1/dns_records/")
		if rec, ok := f.records[id]; ok {
			f.pebble.ClearTXT(f.t, rec["name"].(string))
			delete(f.records, id)
		}
		f.reply(w, map[string]any{"id": id})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeCloudflare) reply(w http.ResponseWriter, result any) {
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "result": result})
}

func (f *fakeCloudflare) replyPage(w http.ResponseWriter, result []any) {
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "result": result,
		"result_info": map[string]any{"page": 1, "per_page": 100, "count": len(result), "total_count": len(result)}})
}

func (f *fakeCloudflare) left() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.records)
}

// TestWildcardThroughDNS01 gets *.apps.test from Pebble through the DNS-01
// challenge, with the Cloudflare provider talking to a stand-in of its API:
// the hosts one label under the domain share it, other hosts get their own.
func TestWildcardThroughDNS01(t *testing.T) {
	e := newACMEEnv(t, 0)
	cf, client := newFakeCloudflare(t, e.pebble, "apps.test", "secret-token")
	p, err := NewDNSProvider(DNSCloudflare, map[string]string{SettingCloudflareToken: "secret-token"}, client)
	require.NoError(t, err)
	hosts := allow("shop.apps.test", "blog--feature.apps.test", "deep.shop.apps.test", "custom.test")
	m := e.manager(t, t.TempDir(), hosts, func(c *Config) {
		c.Domain = "apps.test"
		c.DNS = &DNSConfig{Provider: p, Zone: "apps.test"}
	})
	roots := pool(t, e.pebble.RootPEM)

	t.Run("one order gives a wildcard the domain's hosts share", func(t *testing.T) {
		orders := e.pebble.Orders()
		require.NoError(t, m.Manage(context.Background(), []string{"shop.apps.test"}))
		st := waitState(t, m, "shop.apps.test", engine.CertValid, 30*time.Second)
		assert.Contains(t, st.Issuer, "Pebble")
		assert.Equal(t, "shop.apps.test", st.Host)
		require.NoError(t, m.Manage(context.Background(), []string{"blog--feature.apps.test"}))
		waitState(t, m, "blog--feature.apps.test", engine.CertValid, 5*time.Second)
		assert.Equal(t, orders+1, e.pebble.Orders(), "one order for both hosts")
		for _, h := range []string{"shop.apps.test", "blog--feature.apps.test"} {
			cs, err := handshake(e.httpsAddr, h, roots)
			require.NoError(t, err, h)
			assert.Equal(t, []string{"*.apps.test"}, cs.PeerCertificates[0].DNSNames, h)
			assert.True(t, m.HasCertificate(h))
		}
		assert.Zero(t, e.httpChecks.Load()+e.tlsChecks.Load(), "validated through DNS only")
		assert.Zero(t, cf.left(), "the challenge's TXT record was deleted afterwards")
	})
	t.Run("hosts the wildcard does not cover get their own", func(t *testing.T) {
		require.NoError(t, m.Manage(context.Background(), []string{"custom.test", "deep.shop.apps.test"}))
		for _, h := range []string{"custom.test", "deep.shop.apps.test"} {
			waitState(t, m, h, engine.CertValid, 30*time.Second)
			cs, err := handshake(e.httpsAddr, h, roots)
			require.NoError(t, err, h)
			assert.Equal(t, []string{h}, cs.PeerCertificates[0].DNSNames)
		}
	})
	t.Run("unmanaging one host keeps the wildcard for the others", func(t *testing.T) {
		require.NoError(t, m.Unmanage(context.Background(), []string{"shop.apps.test"}))
		_, err := handshake(e.httpsAddr, "blog--feature.apps.test", roots)
		require.NoError(t, err)
	})
	t.Run("a name outside the route table gets nothing, even under the domain", func(t *testing.T) {
		_, err := handshake(e.httpsAddr, "stranger.apps.test", roots)
		require.Error(t, err)
	})
}

func TestWildcardWithAWrongTokenFailsClearly(t *testing.T) {
	e := newACMEEnv(t, 0)
	cf, client := newFakeCloudflare(t, e.pebble, "apps.test", "right")
	p, err := NewDNSProvider(DNSCloudflare, map[string]string{SettingCloudflareToken: "wrong"}, client)
	require.NoError(t, err)
	m := e.manager(t, t.TempDir(), allow("shop.apps.test"), func(c *Config) {
		c.Domain = "apps.test"
		c.DNS = &DNSConfig{Provider: p, Zone: "apps.test"}
	})
	require.NoError(t, m.Manage(context.Background(), []string{"shop.apps.test"}))
	st := waitState(t, m, "shop.apps.test", engine.CertFailed, 30*time.Second)
	assert.NotEmpty(t, st.LastError)
	assert.NotZero(t, cf.denied)
	assert.NotContains(t, st.LastError, "wrong", "the token never shows")
}

func TestNewDNSProvider(t *testing.T) {
	_, err := NewDNSProvider("route66", nil, nil)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "cloudflare, rfc2136")
	_, err = NewDNSProvider(DNSCloudflare, map[string]string{}, nil)
	assert.Contains(t, engine.ErrorMessage(err), SettingCloudflareToken)
	_, err = NewDNSProvider(DNSRFC2136, map[string]string{SettingRFC2136Server: "ns1.example.com"}, nil)
	assert.Contains(t, engine.ErrorMessage(err), SettingRFC2136Key)
	ok := map[string]string{SettingRFC2136Server: "127.0.0.1:53", SettingRFC2136KeyName: "quayside", SettingRFC2136Key: "c2VjcmV0"}
	_, err = NewDNSProvider(DNSRFC2136, ok, nil)
	require.NoError(t, err)
	ok[SettingRFC2136Server] = "ns1.example.com"
	_, err = NewDNSProvider(DNSRFC2136, ok, nil)
	assert.Contains(t, engine.ErrorMessage(err), "host:port")
	ok[SettingRFC2136Server], ok[SettingRFC2136KeyAlg] = "127.0.0.1:53", "md5"
	_, err = NewDNSProvider(DNSRFC2136, ok, nil)
	assert.Contains(t, engine.ErrorMessage(err), "TSIG algorithm")
}

func TestDNSConfigValidate(t *testing.T) {
	p, err := NewDNSProvider(DNSCloudflare, map[string]string{SettingCloudflareToken: "x"}, nil)
	require.NoError(t, err)
	for _, c := range []struct {
		zone, domain string
		ok           bool
	}{
		{"example.com", "apps.example.com", true}, {"example.com", "example.com", true},
		{"other.com", "apps.example.com", false}, {"ample.com", "example.com", false}, {"", "example.com", false},
	} {
		d := &DNSConfig{Provider: p, Zone: c.zone}
		assert.Equal(t, c.ok, d.validate(c.domain) == nil, "%s holds %s", c.zone, c.domain)
	}
}
