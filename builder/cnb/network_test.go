package cnb

import (
	"net/netip"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/internal/subnetpool"
)

// TestBuildNetworkSubnet checks on the real daemon that the network pack
// makes for a build (through runPack's client) gets a subnet of the pool
// the Builder was given, not one of Docker's default pools.
func TestBuildNetworkSubnet(t *testing.T) {
	ctx := dockertest.Context(t, time.Minute)
	instance := dockertest.Instance(t, testCLI)
	pool, err := subnetpool.Parse("10.250.200.0/25")
	require.NoError(t, err)
	b := New(Config{Docker: testCLI, Instance: instance, Subnets: pool})
	t.Cleanup(func() { assert.NoError(t, b.RemoveLeftovers(ctx)) })
	d := b.packDocker("shop")
	n, err := d.NetworkCreate(ctx, "pack.local-network-"+instance, network.CreateOptions{Driver: "bridge"})
	require.NoError(t, err)
	got, err := testCLI.NetworkInspect(ctx, n.ID, network.InspectOptions{})
	require.NoError(t, err)
	require.Len(t, got.IPAM.Config, 1)
	assert.True(t, pool.Holds(netip.MustParsePrefix(got.IPAM.Config[0].Subnet)), "subnet %s", got.IPAM.Config[0].Subnet)
}
