package subnetpool

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, wantErr string
		size        int
	}{
		{in: Default, size: 1024},
		{in: "10.50.0.0/24", size: 4},
		{in: "10.50.0.64/26", size: 1},
		{in: "10.50.0.0", wantErr: "not a CIDR"},
		{in: "ten", wantErr: "not a CIDR"},
		{in: "", wantErr: "not a CIDR"},
		{in: "fd00:1::/48", wantErr: "not IPv4"},
		{in: "10.50.0.1/16", wantErr: "host bits set: did you mean 10.50.0.0/16"},
		{in: "10.50.0.0/27", wantErr: "smaller than one /26"},
		{in: "172.17.0.0/16", wantErr: "overlaps Docker's default address pool 172.17.0.0/16"},
		{in: "172.16.0.0/12", wantErr: "overlaps Docker's default address pool"},
		{in: "192.168.100.0/24", wantErr: "overlaps Docker's default address pool 192.168.0.0/16"},
		{in: "0.0.0.0/0", wantErr: "overlaps Docker's default"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := Parse(tc.in)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.size, p.Size())
		})
	}
}

func TestFirst(t *testing.T) {
	p, err := Parse("10.50.0.0/24")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		used []string
		want string
	}{
		{"empty pool gives the first", nil, "10.50.0.0/26"},
		{"skips used", []string{"10.50.0.0/26", "10.50.0.64/26"}, "10.50.0.128/26"},
		{"reuses a released hole", []string{"10.50.0.0/26", "10.50.0.128/26"}, "10.50.0.64/26"},
		{"skips what a wider route covers", []string{"10.50.0.0/25"}, "10.50.0.128/26"},
		{"skips what a narrower network covers", []string{"10.50.0.8/29"}, "10.50.0.64/26"},
		{"ignores what lies outside", []string{"10.51.0.0/16", "172.17.0.0/16"}, "10.50.0.0/26"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []netip.Prefix
			for _, u := range tc.used {
				used = append(used, pfx(u))
			}
			got, err := p.First(used)
			require.NoError(t, err)
			assert.Equal(t, pfx(tc.want), got)
		})
	}
}

func TestFirstFull(t *testing.T) {
	p, err := Parse("10.50.0.0/25")
	require.NoError(t, err)
	_, err = p.First([]netip.Prefix{pfx("10.50.0.0/26"), pfx("10.50.0.64/26")})
	assert.ErrorIs(t, err, ErrFull)
	_, err = p.First([]netip.Prefix{pfx("10.0.0.0/8")})
	assert.ErrorIs(t, err, ErrFull)
}

func TestFirstWholePool(t *testing.T) {
	p, err := Parse("10.50.0.0/20")
	require.NoError(t, err)
	var used []netip.Prefix
	for range p.Size() {
		s, err := p.First(used)
		require.NoError(t, err)
		require.True(t, p.Holds(s), "%s is not a /26 of the pool", s)
		used = append(used, s)
	}
	assert.Equal(t, pfx("10.50.15.192/26"), used[len(used)-1])
	_, err = p.First(used)
	assert.ErrorIs(t, err, ErrFull)
}

func TestCheck(t *testing.T) {
	p, err := Parse("10.50.0.0/16")
	require.NoError(t, err)
	ownNet := Network{Name: "qs-abcd-shop", Subnets: []netip.Prefix{pfx("10.50.0.0/26")}, Ours: true}
	for _, tc := range []struct {
		name    string
		routes  []Route
		nets    []Network
		wantErr string
	}{
		{name: "nothing in the way", routes: []Route{{"docker0", pfx("172.17.0.0/16")}, {"eth0", pfx("192.0.2.0/24")}}},
		{name: "our own networks and their bridges",
			routes: []Route{{"br-1", pfx("10.50.0.0/26")}}, nets: []Network{ownNet}},
		{name: "the bridge of a network made while we looked", routes: []Route{{"br-2", pfx("10.50.0.64/26")}}},
		{name: "a pool-sized route not on a Docker bridge", routes: []Route{{"eth1", pfx("10.50.0.64/26")}},
			wantErr: "host route to 10.50.0.64/26 on eth1"},
		{name: "a VPN route", routes: []Route{{"wg0", pfx("10.50.8.0/24")}},
			wantErr: "collide with the host route to 10.50.8.0/24 on wg0"},
		{name: "a route covering the pool", routes: []Route{{"tun0", pfx("10.0.0.0/8")}},
			wantErr: "host route to 10.0.0.0/8 on tun0"},
		{name: "someone else's network", nets: []Network{{Name: "corp", Subnets: []netip.Prefix{pfx("10.50.3.0/24")}}},
			wantErr: "Docker network corp (10.50.3.0/24)"},
		{name: "our label but not a subnet of the pool", nets: []Network{{Name: "odd", Subnets: []netip.Prefix{pfx("10.50.0.0/24")}, Ours: true}},
			wantErr: "Docker network odd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(p, tc.routes, tc.nets)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), "--app-subnets")
		})
	}
}

func TestParseRoutes(t *testing.T) {
	in := strings.Join([]string{
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
		"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
		"docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
		"br-x\t00D50A0A\t00000000\t0001\t0\t0\t0\tC0FFFFFF\t0\t0\t0",
	}, "\n")
	routes, err := ParseRoutes(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []Route{
		{"docker0", pfx("172.17.0.0/16")},
		{"eth0", pfx("192.0.2.0/24")},
		{"br-x", pfx("10.10.213.0/26")},
	}, routes)

	_, err = ParseRoutes(strings.NewReader("Iface\tDestination\n" + "eth0\tzz\t0\t0\t0\t0\t0\t00FFFFFF\n"))
	assert.Error(t, err)
}
