package dashboard_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// TestConfigPageShowsMarks: the config page tells which keys builds never
// see (runtime only) and previews never get (production only), and lists
// the keys only previews get, to every role that may read the app, with
// no value shown.
func TestConfigPageShowsMarks(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	yes := true
	for _, ch := range []engine.ConfigChange{
		{App: "shop", Set: map[string]string{"PLAIN": "p"}},
		{App: "shop", Set: map[string]string{"API_SECRET": "runtime-value"}, RuntimeOnly: &yes},
		{App: "shop", Set: map[string]string{"STRIPE_KEY": "sk_live_value"}, ProductionOnly: true},
		{App: "shop", Set: map[string]string{"DEBUG": "preview-value"}, Previews: true},
	} {
		_, err := r.eng.SetConfig(ctx, ch)
		require.NoError(t, err)
	}
	row := func(body, key string) string {
		return regexp.MustCompile(`<th scope="row" class="mono">` + key + `.*?</th>`).FindString(body)
	}
	for _, who := range []string{viewer, developer} {
		p := r.signIn(who).get("/apps/shop/config")
		require.Equal(t, http.StatusOK, p.status, who)
		assert.Contains(t, row(p.body, "API_SECRET"), ">runtime only</span>", who)
		assert.NotContains(t, row(p.body, "API_SECRET"), "production only", who)
		assert.Contains(t, row(p.body, "STRIPE_KEY"), ">production only</span>", who)
		assert.NotContains(t, row(p.body, "PLAIN"), "badge", "an ordinary key has no mark")
		assert.Contains(t, p.body, `id="config-marks"`, "the legend says what the marks mean")
		assert.Contains(t, p.body, `<h2 id="previews-only-title">Previews only</h2>`)
		assert.Contains(t, p.body, `<li>DEBUG <span class="badge"`)
		for _, secret := range []string{"runtime-value", "sk_live_value", "preview-value"} {
			assert.NotContains(t, p.body, secret, "%s sees marks, never values", who)
		}
	}

	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Unset: []string{"API_SECRET", "STRIPE_KEY"}})
	require.NoError(t, err)
	p := r.signIn(developer).get("/apps/shop/config")
	assert.NotContains(t, p.body, `id="config-marks"`, "no marks, no legend")
}
