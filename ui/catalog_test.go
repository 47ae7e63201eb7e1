package ui_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (r *remoteAPI) patch(t *testing.T, who, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, r.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func TestCatalogAPI(t *testing.T) {
	r := newRemoteAPI(t)
	deploy(t, r.eng, "bank", "img1") // only admins see bank

	code, body := r.patch(t, "developer", "/api/v1/apps/shop/catalog",
		`{"set": {"owner": "team-shop", "lifecycle": "production", "tags": "web, team-a", "dependsOn": "bank, resource:orders-db", "links": "Runbook=https://runbooks.example.com/shop"}}`)
	require.Equal(t, http.StatusOK, code, string(body))
	code, _ = r.patch(t, "viewer", "/api/v1/apps/shop/catalog", `{"set": {"owner": "team-viewer"}}`)
	assert.Equal(t, http.StatusForbidden, code, "viewers read the catalog only")
	code, body = r.patch(t, "developer", "/api/v1/apps/shop/catalog", `{"set": {"links": "javascript:alert(1)"}}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(body), "http:// or https://")
	code, _ = r.patch(t, "outsider", "/api/v1/apps/shop/catalog", `{"set": {"owner": "me"}}`)
	assert.Equal(t, http.StatusNotFound, code, "an owner label cannot be claimed on an app one cannot see")

	code, body = r.get(t, "viewer", "/api/v1/catalog")
	require.Equal(t, http.StatusOK, code, string(body))
	var list api.CatalogList
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Items, 1, "a viewer sees only the apps they may see")
	it := list.Items[0]
	assert.Equal(t, "shop", it.App)
	assert.Equal(t, "team-shop", it.Owner)
	assert.Equal(t, 2, it.CurrentRelease)
	assert.Equal(t, "img2", it.Commit)
	assert.Equal(t, engine.HealthHealthy, it.Health)
	assert.Equal(t, "0.5/week", it.Figures.Frequency)
	assert.Equal(t, []string{"shop.example.test"}, it.Domains)

	code, body = r.get(t, "admin", "/api/v1/catalog?format=backstage")
	require.Equal(t, http.StatusOK, code, string(body))
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var entities []map[string]any
	for {
		var e map[string]any
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		entities = append(entities, e)
	}
	require.Len(t, entities, 2)
	bank, shop := entities[0], entities[1]
	assert.Equal(t, "Component", shop["kind"])
	assert.Equal(t, "backstage.io/v1alpha1", shop["apiVersion"])
	spec := shop["spec"].(map[string]any)
	assert.Equal(t, "team-shop", spec["owner"])
	assert.Equal(t, []any{"component:bank", "resource:orders-db"}, spec["dependsOn"])
	assert.Equal(t, "unknown", bank["spec"].(map[string]any)["owner"], "Backstage requires an owner")
}
