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

func TestPromoteAPI(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()
	deploy(t, eng, "staging", "img-staging")
	deploy(t, eng, "production", "img-prod")

	var out strings.Builder
	rel, err := c.Promote(ctx, "staging", "production", &out)
	require.NoError(t, err, out.String())
	assert.Equal(t, engine.KindPromote, rel.Kind)
	assert.Equal(t, "staging", rel.PromotedFrom)
	assert.Equal(t, 1, rel.PromotedRelease)
	assert.Contains(t, out.String(), "Promoting staging v1")

	list, err := c.Releases(ctx, "production", 1)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "staging", list[0].PromotedFrom, "the listing says where it came from")
	assert.True(t, list[0].Current)

	_, err = c.Promote(ctx, "production", "production", io.Discard)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	_, err = c.Promote(ctx, "ghost", "production", io.Discard)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

func TestPromoteAPIBadBodies(t *testing.T) {
	srv, _ := newAPI(t)
	for _, body := range []string{`{}`, `{"from":""}`, `{"from":1}`, `{"from":"a","to":"b"}`} {
		resp, err := srv.Client().Post(srv.URL+"/api/v1/apps/production/promote", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		var e api.Error
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Equal(t, engine.EINVALID, e.Code, body)
		assert.NotContains(t, e.Message, "nternal", body)
	}
}
