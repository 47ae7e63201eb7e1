package docker

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// addonTestImage stands in for a database: python's http.server on 5432,
// with the user's home as its data directory (a new volume takes the
// ownership of the directory it is mounted on).
const addonTestImage = "quayside/run:offline"

// fakeAddonSpec is an add-on of app that serves on 5432 and writes a
// marker into its volume at each start.
func fakeAddonSpec(app, name string) engine.AddonSpec {
	return engine.AddonSpec{
		App: app, Name: name, Kind: engine.AddonPostgres, Image: addonTestImage,
		Volume: "addon-" + app + "-" + name + "-v15", DataDir: "/home/cnb", Host: engine.AddonHost(app, name), Port: 5432,
		Cmd:         []string{"sh", "-c", "echo start >> /home/cnb/starts; cd /home/cnb && exec python3 -m http.server 5432"},
		MemoryBytes: 64 << 20, Networks: []string{app},
	}
}

// startTestAddon starts spec and removes it, volume and all, after the test
// (before the instance's own cleanup, which does not see add-ons).
func startTestAddon(ctx context.Context, t *testing.T, r *Runtime, spec engine.AddonSpec) *engine.AddonContainer {
	t.Helper()
	if _, err := r.cli.ImageInspect(ctx, addonTestImage); err != nil {
		t.Skipf("%s is not in Docker: run make builder", addonTestImage)
	}
	t.Cleanup(func() {
		assert.NoError(t, r.RemoveAddon(context.Background(), spec.App, spec.Name, spec.Volume))
	})
	c, err := r.StartAddon(ctx, spec)
	require.NoError(t, err)
	return c
}

// probe runs a one-off container on app's network that connects to addr
// and returns its exit code (0: it connected).
func probe(ctx context.Context, t *testing.T, r *Runtime, app, host string) int {
	t.Helper()
	code := `import socket,sys
try:
    socket.create_connection((sys.argv[1], 5432), 3).close()
except Exception as e:
    print(e); sys.exit(3)`
	var out bytes.Buffer
	n, err := r.Run(ctx, engine.ContainerSpec{App: app, Release: 1, Process: "probe", Image: addonTestImage,
		Cmd: []string{"python3", "-c", code, host}}, &out)
	require.NoError(t, err)
	t.Logf("probe %s from %s: %d %s", host, app, n, out.String())
	return n
}

// waitServing polls until the add-on's server answers inside it.
func waitServing(ctx context.Context, t *testing.T, r *Runtime, app, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		code, err := r.ExecAddon(ctx, app, name, []string{"python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 5432), 1)"}, nil, &bytes.Buffer{})
		return err == nil && code == 0
	}, 30*time.Second, 200*time.Millisecond)
}

func TestAddonIsReachableOnlyFromAttachedApps(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	ctx := testCtx(t)
	c := startTestAddon(ctx, t, r, fakeAddonSpec("shop", "db"))
	assert.True(t, c.Running)
	assert.Equal(t, []string{"shop"}, c.Networks)
	waitServing(ctx, t, r, "shop", "db")
	info, err := r.cli.ContainerInspect(ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, info.NetworkSettings.Ports["5432/tcp"], "not published on the host")
	ip := info.NetworkSettings.Networks[NetworkName(r.instance, "shop")].IPAddress
	require.NotEmpty(t, ip)

	assert.Equal(t, 0, probe(ctx, t, r, "shop", engine.AddonHost("shop", "db")), "its app reaches it by name")
	assert.NotEqual(t, 0, probe(ctx, t, r, "other", engine.AddonHost("shop", "db")), "another app cannot resolve it")
	assert.NotEqual(t, 0, probe(ctx, t, r, "other", ip), "nor reach it by address")

	require.NoError(t, r.ConnectAddon(ctx, "shop", "db", "other"))
	require.NoError(t, r.ConnectAddon(ctx, "shop", "db", "other"), "idempotent")
	assert.Equal(t, 0, probe(ctx, t, r, "other", engine.AddonHost("shop", "db")), "attached, it reaches it")
	require.NoError(t, r.DisconnectAddon(ctx, "shop", "db", "other"))
	require.NoError(t, r.DisconnectAddon(ctx, "shop", "db", "other"), "idempotent")
	assert.NotEqual(t, 0, probe(ctx, t, r, "other", engine.AddonHost("shop", "db")), "detached, it cannot")
}

func TestAddonsAreNotAppProcessesAndGCKeepsThem(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	ctx := testCtx(t)
	spec := fakeAddonSpec("shop", "db")
	c := startTestAddon(ctx, t, r, spec)

	all, err := r.Containers(ctx, "")
	require.NoError(t, err)
	for _, x := range all {
		assert.NotEqual(t, c.ID, x.ID, "the engine's reconcile never sees (or stops) it")
	}
	grace := 1
	require.NoError(t, r.cli.ContainerStop(ctx, c.ID, containerStopOptions(grace)))
	items, err := r.RemoveStoppedContainers(ctx, 0)
	require.NoError(t, err)
	assert.Empty(t, items, "gc leaves a stopped add-on alone")
	caches, err := r.BuildCaches(ctx)
	require.NoError(t, err)
	for _, bc := range caches {
		for _, v := range bc.Volumes {
			assert.NotContains(t, v, "addon-", "an add-on volume is never a build cache")
		}
	}
	got, err := r.InspectAddon(ctx, "shop", "db")
	require.NoError(t, err)
	assert.Equal(t, "exited", got.State)

	t.Run("starting again keeps the volume", func(t *testing.T) {
		_, err := r.StartAddon(ctx, spec)
		require.NoError(t, err)
		waitServing(ctx, t, r, "shop", "db")
		var out bytes.Buffer
		code, err := r.ExecAddon(ctx, "shop", "db", []string{"cat", "/home/cnb/starts"}, nil, &out)
		require.NoError(t, err)
		assert.Equal(t, 0, code)
		assert.Equal(t, "start\nstart\n", out.String(), "the second container found the first one's data")
		vols, err := r.cli.VolumeList(ctx, volume.ListOptions{})
		require.NoError(t, err)
		n := 0
		for _, v := range vols.Volumes {
			if strings.HasPrefix(v.Name, "qs-"+r.instance+"-addon-") {
				n++
				assert.Equal(t, r.instance, v.Labels[LabelAddonInstance])
			}
		}
		assert.Equal(t, 1, n)
	})
	t.Run("the app's removal does not take the add-on", func(t *testing.T) {
		err := r.RemoveApp(ctx, "shop")
		assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "its network is in use by the add-on")
		got, err := r.InspectAddon(ctx, "shop", "db")
		require.NoError(t, err)
		assert.True(t, got.Running)
	})
}

func TestAddonContainerSettings(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	ctx := testCtx(t)
	c := startTestAddon(ctx, t, r, fakeAddonSpec("shop", "cache"))
	info, err := r.cli.ContainerInspect(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "unless-stopped", string(info.HostConfig.RestartPolicy.Name), "comes back after a Docker restart")
	assert.Equal(t, int64(64<<20), info.HostConfig.Memory)
	assert.Contains(t, info.HostConfig.SecurityOpt, "no-new-privileges:true")
	assert.Contains(t, info.HostConfig.CapDrop, "CAP_NET_RAW")
	_, err = r.InspectAddon(ctx, "shop", "nope")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	exposed := fakeAddonSpec("shop", "admin")
	exposed.ExposeAddr = "127.0.0.1:0"
	c = startTestAddon(ctx, t, r, exposed)
	info, err = r.cli.ContainerInspect(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, info.HostConfig.PortBindings["5432/tcp"], 1)
	assert.Equal(t, "127.0.0.1", info.HostConfig.PortBindings["5432/tcp"][0].HostIP, "published on loopback only")

	bad := fakeAddonSpec("shop", "../x")
	_, err = r.StartAddon(ctx, bad)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	bad = fakeAddonSpec("shop", "x")
	bad.Networks = []string{"Other;rm"}
	_, err = r.StartAddon(ctx, bad)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
}

func containerStopOptions(grace int) container.StopOptions {
	return container.StopOptions{Timeout: &grace}
}
