package doctor

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvName(t *testing.T) {
	assert.Equal(t, "HTTPS_ADDR", envName("https-addr"))
	assert.Equal(t, "SSH_ADDR", envName("ssh-addr"))
}

func TestAtoiOr(t *testing.T) {
	assert.Equal(t, 26, atoiOr("26", 0))
	assert.Equal(t, 7, atoiOr("v26", 7))
	assert.Equal(t, 7, atoiOr("", 7))
}

func TestSkipReason(t *testing.T) {
	assert.Equal(t, "--offline", skipReason(true))
	assert.Contains(t, skipReason(false), "local mode")
}

func TestRenewalOverdue(t *testing.T) {
	assert.True(t, renewalOverdue(nil), "no renewal time: overdue")
	assert.False(t, renewalOverdue(ptr(timeIn(-30))), "renewed half a minute ago is within the hour")
	assert.True(t, renewalOverdue(ptr(timeIn(-7200))))
	assert.False(t, renewalOverdue(ptr(timeIn(3600))), "not due yet")
}

func TestLocalAddrsLeaveLoopbackOut(t *testing.T) {
	for a := range localAddrs() {
		ip := net.ParseIP(a)
		require.NotNil(t, ip, a)
		assert.False(t, ip.IsLoopback(), a)
	}
}

func TestListeningInodes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	inodes := listeningInodes(port)
	require.Len(t, inodes, 1, "the test's own listener")
	pid, _ := socketOwner(inodes)
	assert.NotZero(t, pid, "our own socket is visible to us")
}

func TestLocal(t *testing.T) {
	assert.False(t, (&doctor{}).local(), "without a Local probe nothing is local")
	d := &doctor{cfg: Config{Local: func(d string) bool { return d == "localhost" }}, domain: "localhost"}
	assert.True(t, d.local())
}
