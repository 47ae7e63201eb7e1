package ui_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// A page on another site, or on an app's sibling host, cannot make a
// signed-in user's browser ask for every config value (an <img> sends the
// session cookie same-site): the answer is unreadable to that page, but
// the "revealed" audit entry would be written in the user's name.
func TestRevealFromAnotherSiteIsRefused(t *testing.T) {
	h, token, session := newLogsRig(t)
	reveals := func(t *testing.T) int {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/audit?action=config.reveal", nil)
		req.Host = "quayside.example.test"
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return strings.Count(rec.Body.String(), `"`+string(engine.ActRevealConfig)+`"`)
	}
	get := func(site string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/apps/shop/config?reveal=true", nil)
		req.Host = "quayside.example.test"
		req.Header.Set("Cookie", (&http.Cookie{Name: auth.CookieName, Value: session}).String())
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	before := reveals(t)
	for _, site := range []string{"cross-site", "same-site"} {
		rec := get(site)
		assert.Equal(t, http.StatusForbidden, rec.Code, site)
		assert.Contains(t, rec.Body.String(), "another site", site)
	}
	assert.Equal(t, before, reveals(t), "no reveal was audited for a request from another site")

	for _, site := range []string{"same-origin", "none", ""} {
		assert.Equal(t, http.StatusOK, get(site).Code, "site %q", site)
	}
	assert.Equal(t, before+3, reveals(t))
}
