package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCollectGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/api/v1/gc", r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer qs_admin" {
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(Error{Code: engine.EFORBIDDEN, Message: "admins only"})
			return
		}
		_ = json.NewEncoder(w).Encode(engine.GCReport{BytesFreed: 42, Removed: []engine.GCItem{{Kind: engine.GCImage, Name: "old"}}})
	}))
	defer srv.Close()

	cl := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Token: "qs_admin"}
	rep, err := cl.CollectGarbage(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(42), rep.BytesFreed)
	require.Len(t, rep.Removed, 1)
	assert.Equal(t, "old", rep.Removed[0].Name)

	cl.Token = "qs_viewer"
	_, err = cl.CollectGarbage(t.Context())
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
	assert.Equal(t, "admins only", engine.ErrorMessage(err))
}
