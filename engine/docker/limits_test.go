package docker

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// capNetRaw is the bit of CAP_NET_RAW in a capability mask.
const capNetRaw = 1 << 13

func TestContainersRunWithTheirLimits(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	spec := webSpec("limited")
	spec.Limits = engine.Limits{MemoryBytes: 64 << 20, NanoCPUs: 5e8, Pids: 100}
	c, err := r.Start(ctx, spec)
	require.NoError(t, err)
	assert.Equal(t, spec.Limits, c.Limits, "the container reports the limits it runs with")

	info, err := testCLI.ContainerInspect(ctx, c.ID)
	require.NoError(t, err)
	res := info.HostConfig.Resources
	assert.Equal(t, int64(64<<20), res.Memory)
	assert.Equal(t, int64(64<<20), res.MemorySwap, "no swap beyond the memory limit")
	assert.Equal(t, int64(5e8), res.NanoCPUs)
	require.NotNil(t, res.PidsLimit)
	assert.Equal(t, int64(100), *res.PidsLimit)
	assert.Contains(t, info.HostConfig.SecurityOpt, "no-new-privileges:true")
	assert.Subset(t, info.HostConfig.CapDrop, []string{"CAP_NET_RAW", "CAP_MKNOD"})

	listed, err := r.Containers(ctx, "limited")
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assert.Equal(t, spec.Limits, listed[0].Limits)
}

func TestAppsCannotOpenRawSockets(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	t.Run("the probe opens one with Docker's default capabilities", func(t *testing.T) {
		spec := runSpec("rawprobe", "-privileges", "-exit", "0")
		net, err := r.ensureNetwork(ctx, spec.App)
		require.NoError(t, err)
		host := baseHostConfig(net, engine.Limits{})
		host.CapDrop = nil
		id, err := r.createContainer(ctx, containerName(r.instance, spec, randomHex(2)), commandConfig(spec, oneOffLabels(r.instance, spec)), host)
		require.NoError(t, err)
		defer r.removeQuietly(id)
		code, err := r.runAttached(ctx, id, newRunOutput(&bytes.Buffer{}))
		require.NoError(t, err)
		require.Equal(t, 0, code)
		out, err := r.Logs(ctx, id, 10)
		require.NoError(t, err)
		require.Contains(t, out, "raw socket: ok", "without the fix the attack works")
	})
	for _, how := range []string{"one-off", "process"} {
		t.Run("a "+how+" cannot", func(t *testing.T) {
			out := privileges(t, r, how)
			assert.Contains(t, out, "raw socket: operation not permitted")
			capEff := capMask(t, out)
			assert.Zero(t, capEff&capNetRaw, "NET_RAW is not effective: %x", capEff)
			assert.NotZero(t, capEff&1, "CHOWN stays: apps may chown their files")
		})
	}
}

// privileges runs the probe as a one-off or as a process and returns
// what it printed.
func privileges(t *testing.T, r *Runtime, how string) string {
	ctx := testCtx(t)
	if how == "one-off" {
		var out bytes.Buffer
		code, err := r.Run(ctx, runSpec("rawoneoff", "-privileges", "-exit", "0"), &out)
		require.NoError(t, err)
		require.Equal(t, 0, code)
		return out.String()
	}
	spec := webSpec("rawweb")
	spec.Cmd = []string{"/server", "-privileges"}
	c, err := r.Start(ctx, spec)
	require.NoError(t, err)
	var out string
	require.Eventually(t, func() bool {
		out, err = r.Logs(ctx, c.ID, 10)
		return err == nil && strings.Contains(out, "raw socket:")
	}, 10*time.Second, 100*time.Millisecond)
	return out
}

// capMask reads the CapEff line the probe printed.
func capMask(t *testing.T, out string) uint64 {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no CapEff in %q", out)
	return 0
}

func TestOutOfMemoryIsAnEventOfTheContainer(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	ch := r.Events(ctx)
	spec := webSpec("hungry")
	spec.Limits = engine.Limits{MemoryBytes: 32 << 20}
	spec.Cmd = []string{"/server", "-alloc", "200"}
	c, err := r.Start(ctx, spec)
	require.NoError(t, err)
	seen := waitEvent(t, ch, is(engine.EventOOM, c.ID))
	oom := seen[len(seen)-1]
	assert.Equal(t, int64(32<<20), oom.Container.Limits.MemoryBytes, "the event says which limit was hit")
}
