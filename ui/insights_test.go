package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// get sends GET path as who and returns the status and body.
func (r *remoteAPI) get(t *testing.T, who, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	resp, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func TestInsightsAPIFollowsVisibility(t *testing.T) {
	r := newRemoteAPI(t)
	deploy(t, r.eng, "bank", "img1") // only admins see bank

	figures := func(who, path string) engine.TeamInsights {
		t.Helper()
		code, body := r.get(t, who, path)
		require.Equal(t, http.StatusOK, code, string(body))
		var ti engine.TeamInsights
		require.NoError(t, json.Unmarshal(body, &ti))
		return ti
	}
	v := figures("viewer", "/api/v1/insights")
	assert.Equal(t, []string{"shop"}, v.Apps, "a viewer's team is the apps they may see")
	assert.Equal(t, 2, v.Team.Current.Frequency.Deploys)
	assert.Len(t, v.Team.Series, 30, "30 days by default, one point a day")

	a := figures("admin", "/api/v1/insights?since=7d")
	assert.Equal(t, []string{"bank", "shop"}, a.Apps)
	assert.Equal(t, 3, a.Team.Current.Frequency.Deploys)
	assert.Len(t, a.Team.Series, 7)

	o := figures("outsider", "/api/v1/insights")
	assert.Empty(t, o.Apps, "a developer who sees no app sees no figures")
	assert.Equal(t, 0, o.Team.Current.Frequency.Deploys)

	code, _ := r.get(t, "viewer", "/api/v1/apps/bank/insights")
	assert.Equal(t, http.StatusNotFound, code, "another team's app")

	for _, bad := range []string{"0d", "-3d", "400d", "soon", "1h"} {
		code, body := r.get(t, "admin", "/api/v1/insights?since="+bad)
		assert.Equal(t, http.StatusBadRequest, code, bad)
		assert.Contains(t, string(body), "since", bad)
	}
}
