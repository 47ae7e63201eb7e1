package cnb

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDaemon is an HTTP server speaking the few Docker API calls these
// tests make, recording the requests.
type fakeDaemon struct {
	mu       sync.Mutex
	requests map[string][]byte // "METHOD path" -> last body
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
