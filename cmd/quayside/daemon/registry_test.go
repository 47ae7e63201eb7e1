package daemon

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default --registry-addr (":5443", no host) listens on the cluster's
// advertise address alone: a manager whose nodes talk over a private
// network does not serve the registry on its public address. Shown with
// loopback addresses: advertised at 127.0.0.1, the registry's port does
// not answer on 127.0.0.2 (another address of this machine).
func TestRegistryListensOnTheAdvertiseAddressOnly(t *testing.T) {
	assert.Equal(t, "10.0.0.5:5443", registryListen(":5443", "10.0.0.5"))
	assert.Equal(t, "[fd00::5]:5443", registryListen(":5443", "fd00::5"))
	assert.Equal(t, "0.0.0.0:5443", registryListen("0.0.0.0:5443", "10.0.0.5"), "every address when asked for")
	assert.Equal(t, "10.0.0.9:6000", registryListen("10.0.0.9:6000", "10.0.0.5"), "a host given is kept")

	ln, err := net.Listen("tcp", registryListen(":0", "127.0.0.1"))
	require.NoError(t, err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 2*time.Second)
	require.NoError(t, err, "the advertise address reaches the registry")
	c.Close()
	c, err = net.DialTimeout("tcp", "127.0.0.2:"+port, 2*time.Second)
	if err == nil {
		c.Close()
	}
	assert.Error(t, err, "another address of this machine must not reach the registry")
}
