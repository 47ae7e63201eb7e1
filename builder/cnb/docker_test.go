package cnb

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

// fakeDaemon is an HTTP server speaking the few Docker API calls these
// tests make, recording the requests.
type fakeDaemon struct {
	mu       sync.Mutex
	requests map[string][]byte // "METHOD path" -> last body
	networks string            // the answer to GET /networks; "" means none
	srv      *httptest.Server
}

func newFakeDaemon(t *testing.T) (*fakeDaemon, *client.Client) {
	f := &fakeDaemon{requests: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+f.srv.Listener.Addr().String()), client.WithVersion("1.41"))
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	return f, cli
}

func (f *fakeDaemon) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/v1.41")
	f.mu.Lock()
	f.requests[r.Method+" "+path] = body
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case path == "/containers/create":
		_, _ = io.WriteString(w, `{"Id":"c1","Warnings":[]}`)
	case path == "/networks" && r.Method == http.MethodGet:
		f.mu.Lock()
		nets := cmp.Or(f.networks, "[]")
		f.mu.Unlock()
		_, _ = io.WriteString(w, nets)
	case path == "/networks/create":
		_, _ = io.WriteString(w, `{"Id":"n1"}`)
	case strings.HasSuffix(path, "/wait"):
		_, _ = io.WriteString(w, `{"StatusCode":20}`)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// request returns the body of the last request to "METHOD path".
func (f *fakeDaemon) request(key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.requests[key]
	return b, ok
}

func TestPackDockerContainerCreate(t *testing.T) {
	f, cli := newFakeDaemon(t)
	ctx := context.Background()
	var sent struct {
		Labels     map[string]string
		HostConfig container.HostConfig
	}
	create := func(t *testing.T, d *packDocker, host *container.HostConfig) {
		t.Helper()
		_, err := d.ContainerCreate(ctx, &container.Config{Image: "b", Labels: map[string]string{"author": "pack"}}, host, nil, nil, "")
		require.NoError(t, err)
		body, ok := f.request("POST /containers/create")
		require.True(t, ok)
		sent.HostConfig = container.HostConfig{}
		require.NoError(t, json.Unmarshal(body, &sent))
	}

	t.Run("sets the memory limit, swap included", func(t *testing.T) {
		d := newPackDocker(cli, 512<<20, buildLabels("abcd", "shop"))
		host := &container.HostConfig{Binds: []string{"v:/cache"}}
		create(t, d, host)
		assert.Equal(t, int64(512<<20), sent.HostConfig.Memory)
		assert.Equal(t, int64(512<<20), sent.HostConfig.MemorySwap)
		assert.Equal(t, []string{"v:/cache"}, sent.HostConfig.Binds, "pack's settings stay")
		assert.Zero(t, host.Memory, "pack's HostConfig is not changed")
		require.NotNil(t, sent.HostConfig.PidsLimit, "a fork bomb stays in its build")
		assert.Equal(t, int64(buildPidsLimit), *sent.HostConfig.PidsLimit)
		assert.Equal(t, map[string]string{"author": "pack", LabelBuildInstance: "abcd", LabelBuildApp: "shop"}, sent.Labels)
	})
	t.Run("without a host config", func(t *testing.T) {
		d := newPackDocker(cli, 256<<20, nil)
		create(t, d, nil)
		assert.Equal(t, int64(256<<20), sent.HostConfig.Memory)
	})
	t.Run("no limit", func(t *testing.T) {
		d := newPackDocker(cli, 0, nil)
		create(t, d, &container.HostConfig{})
		assert.Zero(t, sent.HostConfig.Memory)
		assert.Zero(t, sent.HostConfig.MemorySwap)
	})
}

func TestPackDockerNetworks(t *testing.T) {
	f, cli := newFakeDaemon(t)
	d := newPackDocker(cli, 0, buildLabels("abcd", "shop"))

	t.Run("labels pack's network", func(t *testing.T) {
		_, err := d.NetworkCreate(context.Background(), "pack.local-network-x", network.CreateOptions{Driver: "bridge"})
		require.NoError(t, err)
		body, _ := f.request("POST /networks/create")
		var sent struct{ Labels map[string]string }
		require.NoError(t, json.Unmarshal(body, &sent))
		assert.Equal(t, "shop", sent.Labels[LabelBuildApp])
	})
	t.Run("gives pack's network a subnet of the pool", func(t *testing.T) {
		_, err := d.NetworkCreate(context.Background(), "pack.local-network-y", network.CreateOptions{Driver: "bridge"})
		require.NoError(t, err)
		sent := sentSubnets(t, f)
		require.Len(t, sent, 1)
		assert.True(t, subnetpool.DefaultPool().Holds(netip.MustParsePrefix(sent[0])), "subnet %s is not of the default pool", sent[0])
	})
	t.Run("removes it after cancellation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.NoError(t, d.NetworkRemove(ctx, "pack.local-network-x"))
		_, ok := f.request("DELETE /networks/pack.local-network-x")
		assert.True(t, ok)
	})
}

func TestPackDockerWaitsForOutput(t *testing.T) {
	_, cli := newFakeDaemon(t)
	d := newPackDocker(cli, 0, nil)
	ctx := context.Background()

	t.Run("the exit comes once the output ended", func(t *testing.T) {
		done := make(chan struct{})
		r := &endReader{r: strings.NewReader("last line\n"), done: done}
		d.mu.Lock()
		d.drained["c1"] = done // what ContainerAttach does
		d.mu.Unlock()
		body, _ := d.ContainerWait(ctx, "c1", container.WaitConditionNextExit)
		select {
		case <-body:
			t.Fatal("exit reported before the output was read")
		case <-time.After(200 * time.Millisecond):
		}
		_, _ = io.ReadAll(r)
		select {
		case b := <-body:
			assert.Equal(t, int64(20), b.StatusCode)
		case <-time.After(time.Second):
			t.Fatal("no exit after the output ended")
		}
	})
	t.Run("without an attached output at once", func(t *testing.T) {
		body, _ := d.ContainerWait(ctx, "c2", container.WaitConditionNextExit)
		select {
		case b := <-body:
			assert.Equal(t, int64(20), b.StatusCode)
		case <-time.After(time.Second):
			t.Fatal("no exit")
		}
	})
}

// sentSubnets are the IPAM subnets of the last network create.
func sentSubnets(t *testing.T, f *fakeDaemon) []string {
	t.Helper()
	body, ok := f.request("POST /networks/create")
	require.True(t, ok)
	var sent network.CreateRequest
	require.NoError(t, json.Unmarshal(body, &sent))
	var subnets []string
	if sent.IPAM != nil {
		for _, c := range sent.IPAM.Config {
			subnets = append(subnets, c.Subnet)
		}
	}
	return subnets
}

func TestPackDockerBuildNetworkSubnet(t *testing.T) {
	f, cli := newFakeDaemon(t)
	d := newPackDocker(cli, 0, buildLabels("abcd", "shop"))
	pool, err := subnetpool.Parse("10.250.7.0/25")
	require.NoError(t, err)
	d.subnets = pool
	ctx := context.Background()

	t.Run("skips subnets that other networks hold", func(t *testing.T) {
		f.mu.Lock()
		f.networks = `[{"Name":"qs-abcd-web","IPAM":{"Config":[{"Subnet":"10.250.7.0/26"}]}},{"Name":"bridge","IPAM":{"Config":[{"Subnet":"172.17.0.0/16"}]}}]`
		f.mu.Unlock()
		_, err := d.NetworkCreate(ctx, "pack.local-network-z", network.CreateOptions{Driver: "bridge"})
		require.NoError(t, err)
		assert.Equal(t, []string{"10.250.7.64/26"}, sentSubnets(t, f))
	})
	t.Run("keeps addresses pack chose", func(t *testing.T) {
		opts := network.CreateOptions{IPAM: &network.IPAM{Config: []network.IPAMConfig{{Subnet: "10.99.0.0/24"}}}}
		_, err := d.NetworkCreate(ctx, "pack.local-network-z", opts)
		require.NoError(t, err)
		assert.Equal(t, []string{"10.99.0.0/24"}, sentSubnets(t, f))
	})
	t.Run("a full pool is a clear refusal", func(t *testing.T) {
		f.mu.Lock()
		f.networks = `[{"Name":"a","IPAM":{"Config":[{"Subnet":"10.250.7.0/26"}]}},{"Name":"b","IPAM":{"Config":[{"Subnet":"10.250.7.64/26"}]}}]`
		f.mu.Unlock()
		_, err := d.NetworkCreate(ctx, "pack.local-network-z", network.CreateOptions{Driver: "bridge"})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "--app-subnets")
	})
}
