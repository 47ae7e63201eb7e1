package egress_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/egress"
)

// ownAddrs pretends this server has one public address besides loopback.
func ownAddrs() ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("203.0.113.7")}, nil
}

func TestCheckRefusesInternalAddresses(t *testing.T) {
	p := &egress.Policy{OwnAddrs: ownAddrs}
	tests := []struct{ addr, why string }{
		{"127.0.0.1", "loopback"},
		{"127.9.9.9", "loopback"},
		{"::1", "loopback"},
		{"169.254.169.254", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"febf::1", "link-local"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.254", "CGNAT"},
		{"fc00::1", "unique-local"},
		{"fd12:3456::1", "unique-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "reserved"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:169.254.169.254", "link-local"},
		{"::ffff:10.0.0.1", "private"},
		{"64:ff9b::7f00:1", "loopback"},
		{"2002:7f00:1::1", "6to4"},
		{"2002:a9fe:a9fe::", "6to4"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
		{"::127.0.0.1", "IPv4-compatible"},
		{"::169.254.169.254", "IPv4-compatible"},
		{"::ffff:0:7f00:1", "IPv4-translated"},
		{"64:ff9b:1::a9fe:a9fe", "local-use NAT64"},
		{"fec0::1", "site-local"},
		{"100::1", "discard"},
		{"203.0.113.7", "this server's own address"},
		{"::ffff:203.0.113.7", "this server's own address"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := p.Check(netip.MustParseAddr(tt.addr))
			var refused *egress.RefusedError
			require.True(t, errors.As(err, &refused), "%s must be refused", tt.addr)
			assert.Contains(t, refused.Why, tt.why)
			assert.Contains(t, err.Error(), "refused address")
		})
	}
}

func TestCheckLetsPublicAddressesThrough(t *testing.T) {
	p := &egress.Policy{OwnAddrs: ownAddrs}
	for _, a := range []string{"93.184.216.34", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:93.184.216.34"} {
		assert.NoError(t, p.Check(netip.MustParseAddr(a)), a)
	}
}

func TestCheckFailsClosedWithoutOwnAddresses(t *testing.T) {
	p := &egress.Policy{OwnAddrs: func() ([]netip.Addr, error) { return nil, errors.New("netlink down") }}
	assert.Error(t, p.Check(netip.MustParseAddr("93.184.216.34")))
}

func TestAllowOpensOnlyTheAllowedRange(t *testing.T) {
	allow, err := egress.ParseAllow([]string{"127.0.0.0/8", "10.1.0.0/16, 192.168.5.5"})
	require.NoError(t, err)
	p := &egress.Policy{Allow: allow, OwnAddrs: ownAddrs}
	for _, a := range []string{"127.0.0.1", "::ffff:127.0.0.1", "10.1.2.3", "192.168.5.5"} {
		assert.NoError(t, p.Check(netip.MustParseAddr(a)), a)
	}
	for _, a := range []string{"::1", "10.2.0.1", "192.168.5.6", "169.254.169.254"} {
		assert.Error(t, p.Check(netip.MustParseAddr(a)), a)
	}
}

func TestParseAllow(t *testing.T) {
	got, err := egress.ParseAllow([]string{"10.0.0.0/8,fd00::/8", " 127.0.0.1 ", ""})
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("127.0.0.1/32")}, got)
	masked, err := egress.ParseAllow([]string{"10.1.2.3/8"})
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, masked)
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0/8"} {
		_, err := egress.ParseAllow([]string{bad})
		assert.ErrorContains(t, err, "CIDR", bad)
	}
}

func TestCheckHost(t *testing.T) {
	p := &egress.Policy{OwnAddrs: ownAddrs}
	assert.Error(t, p.CheckHost("127.0.0.1"))
	assert.Error(t, p.CheckHost("[::1]"))
	assert.Error(t, p.CheckHost("169.254.169.254"))
	assert.NoError(t, p.CheckHost("hooks.slack.com"), "names are judged when dialled")
	assert.NoError(t, p.CheckHost("93.184.216.34"))
}
