package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestDomainsRouteAndKeepTheirBackends(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	backends := r.backends("shop")

	_, err := r.eng.AddDomain(ctx, "shop", " Shop.Example.COM. ")
	require.NoError(t, err)
	rt, _ := r.router.Route("shop")
	assert.Equal(t, []string{"shop.example.test", "shop.example.com"}, rt.Hosts)
	assert.Equal(t, backends, rt.Backends, "adding a domain does not touch what serves")

	ds, err := r.eng.Domains(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.True(t, ds[0].Default)
	assert.Equal(t, engine.CertNone, ds[1].Cert.State, "no TLS configured in this rig")

	r.mustPush("shop", "img2")
	rt, _ = r.router.Route("shop")
	assert.Contains(t, rt.Hosts, "shop.example.com", "deploys keep custom domains")

	bad := map[string]string{
		"*.example.com":         "wildcard",
		"localhost":             "fully qualified",
		"shop.example.test":     "app host of this server",
		"other.example.test":    "app host of this server",
		"quayside.example.test": "belongs to the Quayside server",
		"bad_host.com":          "not a valid host name",
		"1.2.3.4":               "is an IP address, not a host name",
	}
	for host, want := range bad {
		_, err := r.eng.AddDomain(ctx, "shop", host)
		require.Error(t, err, host)
		assert.Contains(t, engine.ErrorMessage(err), want, host)
	}
	_, err = r.eng.CreateApp(ctx, "blog", "alice")
	require.NoError(t, err)
	_, err = r.eng.AddDomain(ctx, "blog", "shop.example.com")
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))

	require.NoError(t, r.eng.RemoveDomain(ctx, "shop", "shop.example.com"))
	rt, _ = r.router.Route("shop")
	assert.Equal(t, []string{"shop.example.test"}, rt.Hosts)
	assert.Error(t, r.eng.RemoveDomain(ctx, "shop", "shop.example.test"), "the app's own host stays")
}

func TestEdgeSettingsReachTheRoute(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	rt, _ := r.router.Route("shop")
	assert.Equal(t, engine.DefaultEdge(), rt.Edge)

	on, page := true, "<h1>soon</h1>"
	_, err := r.eng.SetEdge(ctx, "shop", engine.EdgeChange{Maintenance: &on, HSTS: &on, MaintenancePage: &page})
	require.NoError(t, err)
	_, err = r.eng.SetBasicAuth(ctx, "shop", "ann", "$argon2id$hash")
	require.NoError(t, err)
	rt, _ = r.router.Route("shop")
	assert.Equal(t, engine.Edge{HTTPSRedirect: true, HSTS: true, Maintenance: true, MaintenancePage: page,
		BasicAuthUser: "ann", BasicAuthHash: "$argon2id$hash"}, rt.Edge)
	assert.NotEmpty(t, rt.Backends)

	r.mustPush("shop", "img2")
	rt, _ = r.router.Route("shop")
	assert.True(t, rt.Edge.Maintenance, "edge settings survive deploys")

	_, err = r.eng.SetBasicAuth(ctx, "shop", "bad user", "h")
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	_, err = r.eng.SetBasicAuth(ctx, "shop", "", "")
	require.NoError(t, err)
	rt, _ = r.router.Route("shop")
	assert.Empty(t, rt.Edge.BasicAuthHash)
}
