package dockercause

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestExplain(t *testing.T) {
	cases := []struct {
		daemon string
		code   string
		words  string
	}{
		{"could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network", engine.EUNAVAILABLE, "--app-subnets"},
		{"all predefined address pools have been fully subnetted", engine.EUNAVAILABLE, "no free address pool"},
		{"write /var/lib/docker/x: no space left on device", engine.EUNAVAILABLE, "disk of the server is full"},
		{"No such image: qs-1/shop:v3", engine.EDEPLOYFAILED, "redeploy with git push"},
		{"Bind for 127.0.0.1:32768 failed: port is already allocated", engine.EUNAVAILABLE, "already taken"},
		{"listen tcp 127.0.0.1:32768: bind: address already in use", engine.EUNAVAILABLE, "already taken"},
		{"driver failed programming external connectivity: all ports are allocated", engine.EUNAVAILABLE, "no free host port"},
		{"fork/exec /proc/self/exe: cannot allocate memory: unknown", engine.EUNAVAILABLE, "out of memory"},
	}
	for _, c := range cases {
		t.Run(c.daemon, func(t *testing.T) {
			raw := errors.New("Error response from daemon: " + c.daemon)
			e := Explain("creating the container", raw)
			require.NotNil(t, e)
			assert.Equal(t, c.code, e.Code)
			assert.Contains(t, e.Message, "creating the container failed: ")
			assert.Contains(t, e.Message, c.words)
			assert.NotContains(t, e.Message, c.daemon, "the daemon's text is detail, not message")
			assert.ErrorIs(t, e, raw)
			assert.Equal(t, raw.Error(), engine.ErrorDetail(e))
		})
	}
	assert.Nil(t, Explain("creating the container", errors.New("Error response from daemon: conflict: name in use")))
	assert.Nil(t, Explain("creating the container", nil))
}
