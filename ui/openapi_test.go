package ui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui"
)

// TestOpenAPIMatchesTheRoutes keeps /api/v1/openapi.json true: every
// registered route is described, and nothing else is.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	r := newRemoteAPI(t)
	resp, err := http.Get(r.srv.URL + "/api/v1/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the description is public")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)

	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, route := range ui.New(ui.Config{Engine: r.eng, Accounts: r.accounts}).Routes() {
		method, path, _ := strings.Cut(route, " ")
		served[method+" "+openAPIPath(path)] = true
	}
	assert.Equal(t, served, described)
}

func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
