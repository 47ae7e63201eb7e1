package ui_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/api"
)

// tokenCluster is a swarm whose worker token changes at each rotation
// (none can be made on the shared test Docker).
type tokenCluster struct {
	mu    sync.Mutex
	token string
}

func (c *tokenCluster) Status(context.Context) (engine.ClusterStatus, error) {
	return engine.ClusterStatus{Enabled: true, AdvertiseAddr: "10.0.0.5"}, nil
}

func (c *tokenCluster) Init(context.Context, string) (engine.ClusterStatus, error) {
	return engine.ClusterStatus{}, engine.Errorf(engine.ECONFLICT, "already a manager")
}

func (c *tokenCluster) JoinInfo(context.Context) (engine.JoinInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return engine.JoinInfo{Token: c.token, Addr: "10.0.0.5"}, nil
}

func (c *tokenCluster) RotateJoinToken(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token += "x"
	return nil
}

func (c *tokenCluster) Nodes(context.Context) ([]engine.ClusterNode, error) { return nil, nil }

func (c *tokenCluster) SetAvailability(context.Context, string, string) (engine.ClusterNode, error) {
	return engine.ClusterNode{}, engine.Errorf(engine.ENOTFOUND, "no node")
}

func (c *tokenCluster) Hold(bool) {}

func (c *tokenCluster) Leave(context.Context) error { return nil }

func TestRotatedJoinCommandIsNotCached(t *testing.T) {
	ctx := context.Background()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	acc := engine.NewAccounts(engine.AccountsConfig{Store: db, Hasher: testHasher{}})
	rt := enginetest.NewRuntime()
	eng := engine.New(engine.Config{Store: db, Runtime: rt, Builder: &enginetest.Builder{}, Router: enginetest.NewRouter(),
		Repos: &enginetest.Repos{}, Health: enginetest.Health{RT: rt}, Domain: "example.test", Access: acc,
		Cluster: &tokenCluster{token: "SWMTKN-1-old"}})
	_, _, err = acc.AddUser(ctx, "admin@example.test", engine.RoleAdmin)
	require.NoError(t, err)
	_, secret, err := acc.CreateToken(ctx, "admin@example.test", "test", 0)
	require.NoError(t, err)
	srv := httptest.NewServer(ui.New(ui.Config{Engine: eng, Accounts: acc, Version: "test", Domain: "example.test"}).RemoteHandler())
	t.Cleanup(srv.Close)

	call := func(method, path string) (string, *http.Response) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(""))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out api.JoinCommand
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out.Command, resp
	}
	old, _ := call("GET", "/api/v1/cluster/join-command")
	assert.Contains(t, old, "SWMTKN-1-old ")
	rotated, resp := call("POST", "/api/v1/cluster/join-command/rotate")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "no cache keeps the new token")
	assert.NotEqual(t, old, rotated)
	assert.Contains(t, rotated, "SWMTKN-1-oldx ")
	now, resp := call("GET", "/api/v1/cluster/join-command")
	assert.Equal(t, rotated, now)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
}
