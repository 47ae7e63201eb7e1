package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui"
)

const scrapeBody = "quayside_up 1\n"

// metricsRig serves the control host with /metrics open to allowed
// addresses; tokens holds an API token of a user of each role.
type metricsRig struct {
	handler http.Handler
	tokens  map[string]string
}

func newMetricsRig(t *testing.T, allowed ...string) *metricsRig {
	t.Helper()
	ctx := context.Background()
	eng, acc := newTestEngine(t, nil)
	r := &metricsRig{tokens: map[string]string{}}
	for _, role := range []string{engine.RoleAdmin, engine.RoleDeveloper, engine.RoleViewer} {
		email := role + "@example.test"
		_, _, err := acc.AddUser(ctx, email, role)
		require.NoError(t, err)
		_, secret, err := acc.CreateToken(ctx, email, "scrape", 0)
		require.NoError(t, err)
		r.tokens[role] = secret
	}
	var prefixes []netip.Prefix
	for _, p := range allowed {
		prefixes = append(prefixes, netip.MustParsePrefix(p))
	}
	prom := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, scrapeBody) })
	s := ui.New(ui.Config{Engine: eng, Accounts: acc, Version: "test", Domain: "example.test",
		ControlURL: "https://quayside.example.test", Prometheus: prom, MetricsAllowed: prefixes})
	r.handler = s.RemoteHandler()
	return r
}

// scrape asks for /metrics from the address from with token (none when
// ""), and returns the status, the body and the WWW-Authenticate header.
func (r *metricsRig) scrape(t *testing.T, from, token string, header http.Header) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = from
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header().Get("WWW-Authenticate")
}

func TestMetricsAreForAdminsAndAllowedAddresses(t *testing.T) {
	r := newMetricsRig(t, "192.0.2.0/24", "2001:db8::/32")
	outside := "198.51.100.7:40000"

	t.Run("an admin's token from anywhere", func(t *testing.T) {
		code, body, _ := r.scrape(t, outside, r.tokens[engine.RoleAdmin], nil)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, scrapeBody, body)
	})
	for _, role := range []string{engine.RoleDeveloper, engine.RoleViewer} {
		t.Run("a "+role+"'s token is refused", func(t *testing.T) {
			code, body, _ := r.scrape(t, outside, r.tokens[role], nil)
			assert.Equal(t, http.StatusForbidden, code)
			assert.NotContains(t, body, "quayside_up")
			assert.Contains(t, body, "only admins")
		})
	}
	t.Run("no token from outside the allowed addresses", func(t *testing.T) {
		code, body, challenge := r.scrape(t, outside, "", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.NotContains(t, body, "quayside_up")
		assert.Equal(t, `Bearer realm="quayside"`, challenge)
	})
	t.Run("a wrong token", func(t *testing.T) {
		code, body, _ := r.scrape(t, outside, "qs_not-a-token", nil)
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.NotContains(t, body, "quayside_up")
	})
	t.Run("a forwarded-for header naming an allowed address", func(t *testing.T) {
		h := http.Header{"X-Forwarded-For": {"192.0.2.9"}, "X-Real-Ip": {"192.0.2.9"}}
		code, body, _ := r.scrape(t, outside, "", h)
		assert.Equal(t, http.StatusUnauthorized, code, "the peer's address counts, not what it claims")
		assert.NotContains(t, body, "quayside_up")
	})
	for name, from := range map[string]string{
		"IPv4":             "192.0.2.55:1234",
		"IPv6":             "[2001:db8::1]:1234",
		"IPv4-mapped IPv6": "[::ffff:192.0.2.55]:1234",
	} {
		t.Run("no token from an allowed "+name+" address", func(t *testing.T) {
			code, body, _ := r.scrape(t, from, "", nil)
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, scrapeBody, body)
		})
	}
}

func TestMetricsWithoutAllowedAddressesOverARealConnection(t *testing.T) {
	r := newMetricsRig(t)
	srv := httptest.NewServer(r.handler)
	t.Cleanup(srv.Close)
	get := func(token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get("")
	assert.Equal(t, http.StatusUnauthorized, code, "loopback is not trusted unless allowed")
	assert.NotContains(t, body, "quayside_up")
	code, _ = get(r.tokens[engine.RoleDeveloper])
	assert.Equal(t, http.StatusForbidden, code)
	code, body = get(r.tokens[engine.RoleAdmin])
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, scrapeBody, body)
}
