package dashboard_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// A link on another site cannot make a developer's browser reveal a value
// and write "revealed" into the audit log in their name; nor can a link of
// any kind fill the audit log with keys the app does not have.
func TestRevealLinksFromOtherSitesAreInert(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"STRIPE_KEY": "sk_live_value"}})
	require.NoError(t, err)
	revealed := func() int {
		es, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{Actor: developer, Limit: 500})
		require.NoError(t, err)
		n := 0
		for _, e := range es {
			if e.Action == string(engine.ActRevealConfig) {
				n++
			}
		}
		return n
	}

	dev := r.signIn(developer)
	for _, site := range []string{"cross-site", "same-site"} {
		dev.header = http.Header{"Sec-Fetch-Site": {site}}
		p := dev.get("/apps/shop/config?key=STRIPE_KEY")
		require.Equal(t, http.StatusOK, p.status, site)
		assert.NotContains(t, p.body, "sk_live_value", site)
		assert.Equal(t, 0, revealed(), "a %s link writes no reveal into the audit log", site)
	}

	dev.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	p := dev.get("/apps/shop/config?key=" + strings.Repeat("X", 4000))
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, 0, revealed(), "a key the app does not have reveals nothing and is not audited")

	p = dev.get("/apps/shop/config?key=STRIPE_KEY")
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "sk_live_value", "the dashboard's own link reveals")
	assert.Equal(t, 1, revealed())
}
