package docker

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/internal/subnetpool"
)

// testPool returns a pool of two /26 subnets of its own, so tests running
// at the same time on this daemon do not share one.
func testPool(t *testing.T) subnetpool.Pool {
	t.Helper()
	p, err := subnetpool.Parse(fmt.Sprintf("10.250.%d.%d/25", rand.IntN(256), rand.IntN(2)*128))
	require.NoError(t, err)
	return p
}

// networkSubnet is the subnet Docker gave the app's network.
func networkSubnet(t *testing.T, r *Runtime, app string) netip.Prefix {
	t.Helper()
	n, err := testCLI.NetworkInspect(testCtx(t), NetworkName(r.instance, app), network.InspectOptions{})
	require.NoError(t, err)
	require.Len(t, n.IPAM.Config, 1)
	return netip.MustParsePrefix(n.IPAM.Config[0].Subnet)
}

func TestNetworkSubnets(t *testing.T) {
	ctx := testCtx(t)
	pool := testPool(t)
	instance := dockertest.Instance(t, testCLI)
	r := New(testCLI, instance, nil, WithSubnets(pool))

	_, err := r.ensureNetwork(ctx, "one")
	require.NoError(t, err)
	first := networkSubnet(t, r, "one")
	assert.True(t, pool.Holds(first), "subnet %s is not a /26 of %s", first, pool)

	t.Run("a second allocator sees the first network's subnet as used", func(t *testing.T) {
		restarted := New(testCLI, instance, nil, WithSubnets(pool))
		_, err := restarted.ensureNetwork(ctx, "two")
		require.NoError(t, err)
		second := networkSubnet(t, restarted, "two")
		assert.True(t, pool.Holds(second))
		assert.NotEqual(t, first, second)
	})

	t.Run("a full pool is a clear refusal", func(t *testing.T) {
		_, err := r.ensureNetwork(ctx, "three")
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "all 2 subnets")
		assert.Contains(t, msg, "this server has 2 app(s)")
		assert.Contains(t, msg, "such as a /24 for 4 apps")
		assert.Contains(t, msg, "--app-subnets")
	})

	t.Run("a destroyed app's subnet is reused", func(t *testing.T) {
		require.NoError(t, r.removeNetworks(ctx, "one"))
		_, err := r.ensureNetwork(ctx, "three")
		require.NoError(t, err)
		assert.Equal(t, first, networkSubnet(t, r, "three"))
	})

	t.Run("an existing network keeps its subnet", func(t *testing.T) {
		_, err := r.ensureNetwork(ctx, "two")
		require.NoError(t, err)
		nets, err := testCLI.NetworkList(ctx, network.ListOptions{Filters: scope(instance, "two")})
		require.NoError(t, err)
		assert.Len(t, nets, 1)
	})
}

// TestNetworkConcurrentFirstPushes creates two apps' networks at once from
// two runtimes (two servers, or a restart racing a push) sharing a pool.
func TestNetworkConcurrentFirstPushes(t *testing.T) {
	ctx := testCtx(t)
	pool := testPool(t)
	a := New(testCLI, dockertest.Instance(t, testCLI), nil, WithSubnets(pool))
	b := New(testCLI, dockertest.Instance(t, testCLI), nil, WithSubnets(pool))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, r := range []*Runtime{a, b} {
		wg.Go(func() { _, errs[i] = r.ensureNetwork(ctx, "shop") })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	sa, sb := networkSubnet(t, a, "shop"), networkSubnet(t, b, "shop")
	assert.True(t, pool.Holds(sa) && pool.Holds(sb))
	assert.NotEqual(t, sa, sb)
}

// TestNetworkMadeBeforeThePool checks that an app network from Docker's
// default pools (made before Quayside had a pool) is kept as it is.
func TestNetworkMadeBeforeThePool(t *testing.T) {
	ctx := testCtx(t)
	instance := dockertest.Instance(t, testCLI)
	r := New(testCLI, instance, nil, WithSubnets(testPool(t)))
	old, err := testCLI.NetworkCreate(ctx, NetworkName(instance, "old"), network.CreateOptions{
		Driver: "bridge",
		Labels: map[string]string{dockernames.LabelInstance: instance, dockernames.LabelApp: "old"},
	})
	require.NoError(t, err)
	before := networkSubnet(t, r, "old")
	_, err = r.ensureNetwork(ctx, "old")
	require.NoError(t, err)
	n, err := testCLI.NetworkInspect(ctx, NetworkName(instance, "old"), network.InspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, old.ID, n.ID)
	assert.Equal(t, before, networkSubnet(t, r, "old"))
}
