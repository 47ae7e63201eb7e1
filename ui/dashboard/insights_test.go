package dashboard_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

func TestInsightsPage(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "img1")
	r.deploy("shop", "img2")
	ctx := context.Background()
	require.NoError(t, r.eng.PreparePush(ctx, "shop", "tester"))
	_, err := r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "broken", Source: enginetest.Source{}})
	require.Error(t, err)
	// bank is visible to admins only.
	require.NoError(t, r.eng.PreparePush(ctx, "bank", "tester"))
	_, err = r.eng.Push(ctx, engine.PushRequest{App: "bank", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
	require.NoError(t, err)

	v := r.signIn(viewer)
	p := v.get("/insights")
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Contains(t, p.body, "Deployment frequency")
	assert.Contains(t, p.body, "2 deploys (2 pushes, 0 config changes, 0 rollbacks)")
	assert.Contains(t, p.body, "33.3%", "one failed change of three")
	assert.Contains(t, p.body, "1 of 3 changes: 1 before going live, 0 after")
	assert.Len(t, findAll(p.doc, "svg"), 4, "a chart of each figure")
	assert.NotContains(t, p.body, "bank", "a viewer's team is the apps they may see")
	assert.Contains(t, p.body, `href="/insights?since=30d&amp;app=shop"`)

	one := v.get("/insights?app=shop&since=7d")
	require.Equal(t, http.StatusOK, one.status)
	assert.Contains(t, one.body, "Insights: shop")
	assert.Equal(t, http.StatusNotFound, v.get("/insights?app=bank").status, "another team's app is not found")
	assert.Equal(t, http.StatusNotFound, v.get("/insights?app=%3Cscript%3E").status)

	a := r.signIn(admin).get("/insights?since=90d")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "bank")
	assert.Contains(t, a.body, "per week over the last 90 days")
}
