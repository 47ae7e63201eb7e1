package swarm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine/docker"
)

// netDaemon is a Docker daemon with the overlay "qso-cafe-shop" (id
// "ovl"), and two add-ons of instance "cafe" on the bridge "qs-cafe-shop":
// shop's redis (off the overlay) and shop's db (already on it). It records
// the calls that change networks, in order.
type netDaemon struct {
	mu      sync.Mutex
	calls   []string
	filters string // of the last container list
}

func (d *netDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:] // without the API version
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && path == "/networks":
		_ = json.NewEncoder(w).Encode([]network.Summary{{Name: "qso-cafe-shop", ID: "ovl"}})
	case r.Method == http.MethodGet && path == "/containers/json":
		d.filters = r.URL.Query().Get("filters")
		_ = json.NewEncoder(w).Encode([]container.Summary{
			{ID: "c-redis", Names: []string{"/qs-cafe-addon-shop-redis"}, Labels: map[string]string{"io.quayside.addon.app": "shop", "io.quayside.addon.name": "redis"},
				NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{"qs-cafe-shop": {NetworkID: "br"}}}},
			{ID: "c-db", Labels: map[string]string{"io.quayside.addon.app": "shop", "io.quayside.addon.name": "db"},
				NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{"qso-cafe-shop": {NetworkID: "ovl"}}}},
		})
	case r.Method == http.MethodPost || r.Method == http.MethodDelete:
		body, _ := io.ReadAll(r.Body)
		d.calls = append(d.calls, r.Method+" "+path+" "+strings.TrimSpace(string(body)))
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		http.NotFound(w, r)
	}
}

func netRuntime(t *testing.T, d *netDaemon) *Runtime {
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+strings.TrimPrefix(srv.URL, "http://")), client.WithVersion("1.45"))
	require.NoError(t, err)
	return New(cli, docker.New(cli, "cafe", nil), "cafe", nil)
}

func TestEnsureNetworkConnectsTheAppsAddons(t *testing.T) {
	d := &netDaemon{}
	r := netRuntime(t, d)
	id, err := r.ensureNetwork(context.Background(), "shop")
	require.NoError(t, err)
	assert.Equal(t, "ovl", id)
	assert.Contains(t, d.filters, `"io.quayside.addon.instance=cafe"`, "only this instance's add-ons")
	assert.Contains(t, d.filters, `"qs-cafe-shop"`, "only the add-ons on the app's bridge network")
	require.Len(t, d.calls, 1, "the add-on already on the overlay is left alone: %v", d.calls)
	assert.Contains(t, d.calls[0], "POST /networks/ovl/connect ")
	assert.Contains(t, d.calls[0], `"Container":"c-redis"`)
	assert.Contains(t, d.calls[0], `"Aliases":["addon-shop-redis"]`, "the same alias as on the bridge")
}

func TestRemoveNetworkDisconnectsAddonsFirst(t *testing.T) {
	d := &netDaemon{}
	r := netRuntime(t, d)
	require.NoError(t, r.removeNetwork(context.Background(), "shop"))
	require.Len(t, d.calls, 5, "%v", d.calls)
	assert.Contains(t, d.calls[0], "POST /networks/qso-cafe-shop/disconnect ")
	assert.Contains(t, d.calls[1], "POST /networks/qso-cafe-shop/disconnect ")
	// Docker forgets the add-on's names on its bridge: it is connected again.
	assert.Contains(t, d.calls[2], `POST /networks/qs-cafe-shop/disconnect {"Container":"c-redis"`)
	assert.Contains(t, d.calls[3], `POST /networks/qs-cafe-shop/connect {"Container":"c-redis"`)
	assert.Contains(t, d.calls[3], `"Aliases":["addon-shop-redis"]`)
	assert.Equal(t, "DELETE /networks/qso-cafe-shop ", d.calls[4], "the network goes after its add-ons")
}

func TestDisconnectAddonLeavesTheOverlayAndKeepsItsBridgeName(t *testing.T) {
	d := &netDaemon{}
	r := netRuntime(t, d)
	require.NoError(t, r.DisconnectAddon(context.Background(), "shop", "redis", "shop"))
	require.Len(t, d.calls, 3, "%v", d.calls)
	assert.Contains(t, d.calls[0], `POST /networks/ovl/disconnect {"Container":"qs-cafe-addon-shop-redis"`)
	assert.Contains(t, d.calls[1], `POST /networks/qs-cafe-shop/disconnect {"Container":"c-redis"`)
	assert.Contains(t, d.calls[2], `POST /networks/qs-cafe-shop/connect {"Container":"c-redis"`)
	assert.Contains(t, d.calls[2], `"Aliases":["addon-shop-redis"]`)
}
