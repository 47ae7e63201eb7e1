package ui_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// postJSON sends body to url as plain JSON and reads the answer.
func postJSON(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	return resp, raw
}

func TestRedeployAndRestartAPI(t *testing.T) {
	srv, eng := newAPI(t)
	deploy(t, eng, "shop", "img1")

	resp, body := postJSON(t, srv.URL+"/api/v1/apps/shop/redeploy", `{}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var rel api.Release
	require.NoError(t, json.Unmarshal(body, &rel))
	assert.Equal(t, 2, rel.Number)
	assert.Equal(t, "Redeploy of v1", rel.Description)

	resp, body = postJSON(t, srv.URL+"/api/v1/apps/shop/restart", `{"process":"web"}`)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, body = postJSON(t, srv.URL+"/api/v1/apps/shop/restart", `{}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "name the process type")
	resp, body = postJSON(t, srv.URL+"/api/v1/apps/shop/restart", `{"process":"worker"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), `has no process type`)
	a, err := eng.FindApp(context.Background(), "shop")
	require.NoError(t, err)
	assert.Equal(t, 2, a.CurrentRelease, "a restart makes no release")
}

func TestRevealingConfigIsAudited(t *testing.T) {
	r := newRemoteAPI(t)
	resp := r.do(t, "developer", http.MethodGet, "/api/v1/apps/shop/config?reveal=true", "")
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	es, err := r.accounts.ListAudit(context.Background(), engine.AuditQuery{Actor: "developer@example.test", Limit: 50})
	require.NoError(t, err)
	found := false
	for _, e := range es {
		found = found || (e.Action == string(engine.ActRevealConfig) && e.App == "shop" && e.Success)
	}
	assert.True(t, found, "who read the values is in the audit log")
}

// TestRedeployAndRestartStream: the client's Redeploy and Restart (the
// CLI's redeploy and restart) stream the progress and answer errors in
// plain words.
func TestRedeployAndRestartStream(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()
	deploy(t, eng, "shop", "img1")

	var out strings.Builder
	rel, err := c.Redeploy(ctx, "shop", &out)
	require.NoError(t, err)
	assert.Equal(t, 2, rel.Number)
	assert.Equal(t, engine.ReleaseActive, rel.Status)
	assert.Contains(t, out.String(), "Deploying v2: Redeploy of v1")

	out.Reset()
	require.NoError(t, c.Restart(ctx, "shop", "web", &out))
	assert.Contains(t, out.String(), "Restarting the web containers of shop (v2)")
	a, err := eng.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, 2, a.CurrentRelease, "a restart makes no release")

	err = c.Restart(ctx, "shop", "worker", io.Discard)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "has no process type")
	_, err = c.Redeploy(ctx, "nope", io.Discard)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}
