package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func TestLimitsAPI(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()
	deploy(t, eng, "shop", "img1")

	var out strings.Builder
	got, err := c.SetLimits(ctx, "shop", api.LimitsChange{Process: "web", Limits: map[string]string{"memory": "256M", "cpus": "0.5"}}, &out)
	require.NoError(t, err)
	assert.Equal(t, api.Limits{MemoryBytes: 256 << 20, CPUs: 0.5, Defaults: []string{"pids"}}, *got)
	assert.Contains(t, out.String(), "Setting the limits of shop web")

	l, err := c.Processes(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, *got, l.Limits["web"])
	require.Len(t, l.Processes, 1)
	assert.Equal(t, int64(256<<20), l.Processes[0].MemoryLimitBytes)
	assert.Equal(t, 0.5, l.Processes[0].CPULimit)
	assert.Nil(t, l.Processes[0].MemoryBytes, "no sample: the use is unknown, not 0")

	_, err = c.SetLimits(ctx, "shop", api.LimitsChange{Process: "web", Limits: map[string]string{"memory": "4M"}}, &out)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "the minimum is 16 MiB")

	t.Run("plain JSON without a stream", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPatch, srv.URL+"/api/v1/apps/shop/limits",
			strings.NewReader(`{"process":"web","limits":{"memory":"default"}}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var l api.Limits
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&l))
		assert.Equal(t, []string{"memory", "pids"}, l.Defaults)
		assert.Zero(t, l.MemoryBytes, "this server has no default memory limit")
	})
}
