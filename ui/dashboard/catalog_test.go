package dashboard_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCatalogPage(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "img1")
	r.deploy("payments", "img1")
	ctx := context.Background()
	require.NoError(t, r.eng.PreparePush(ctx, "bank", "tester"))
	r.deploy("blog", "img1")
	set := func(app string, fields map[string]string) {
		t.Helper()
		_, err := r.eng.SetCatalog(ctx, engine.CatalogChange{App: app, Set: fields})
		require.NoError(t, err)
	}
	set("shop", map[string]string{"owner": "team-shop", "system": "store", "tags": "web",
		"dependsOn": "component:payments, resource:orders-db", "description": "<script>alert(1)</script>",
		"links": "Runbook=https://runbooks.example.com/shop"})
	set("payments", map[string]string{"owner": "team-pay", "system": "store"})
	set("blog", map[string]string{"owner": "team-web"})

	v := r.signIn(viewer)
	p := v.get("/catalog")
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Contains(t, p.body, "3 of 3 apps", "the viewer sees shop, payments and blog, not bank")
	assert.NotContains(t, p.body, ">bank<")
	assert.NotContains(t, p.body, "<script>alert(1)", "descriptions are escaped")
	assert.Contains(t, p.body, "&lt;script&gt;")
	assert.Contains(t, p.body, `href="https://runbooks.example.com/shop"`)
	assert.Contains(t, p.body, "they grant nothing")

	svgs := findAll(p.doc, "svg")
	require.Len(t, svgs, 1, "the dependsOn graph")
	assert.Len(t, findAll(svgs[0], "line"), 2, "shop -> payments, shop -> orders-db")
	assert.Len(t, findAll(svgs[0], "rect"), 4, "shop, payments, blog and the orders-db resource")
	assert.Contains(t, text(svgs[0]), "shop depends on payments, resource:orders-db")

	f := v.get("/catalog?system=store&owner=team-pay")
	require.Equal(t, http.StatusOK, f.status)
	assert.Contains(t, f.body, "1 of 3 apps")
	assert.Contains(t, f.body, `<option selected>team-pay</option>`)
	assert.Empty(t, findAll(f.doc, "svg"), "payments alone depends on nothing")

	none := v.get("/catalog?tag=%22%3E%3Cscript%3E")
	require.Equal(t, http.StatusOK, none.status)
	assert.Contains(t, none.body, "No apps match.")
	assert.NotContains(t, none.body, `"><script>`)
}
