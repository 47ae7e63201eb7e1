package dockercause_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// TestScaleRunDestroyNameTheFailedStep checks that scale, run and destroy
// say which step Docker failed, in plain words, and log the daemon's text.
func TestScaleRunDestroyNameTheFailedStep(t *testing.T) {
	ctx := context.Background()
	d := &fakeDocker{}
	p := newHealthyPusher(t, d)
	_, err := p.push()
	require.NoError(t, err, "the first push deploys")

	t.Run("scale", func(t *testing.T) {
		d.failAt("start", 500, "driver failed programming external connectivity on endpoint qs-2: all ports are allocated")
		var out bytes.Buffer
		_, err := p.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": 2}, Author: "alice", Output: &out})
		require.Error(t, err)
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "starting web.")
		assert.Contains(t, msg, "starting the container failed: Docker has no free host port")
		assert.NotContains(t, msg, "Internal error")
		assert.Contains(t, out.String(), "detail: start container: Error response from daemon: driver failed programming", "the pusher's output keeps the detail")
		assert.Contains(t, p.log.String(), "all ports are allocated")
	})
	t.Run("run", func(t *testing.T) {
		d.failAt("create", 500, "mkdir /var/lib/docker/overlay2/9e-init: no space left on device")
		_, err := p.eng.Run(ctx, engine.RunRequest{App: "shop", Command: []string{"ls"}, Author: "alice"})
		require.Error(t, err)
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "starting the one-off container failed: creating the container failed: the disk of the server is full")
		assert.Contains(t, p.log.String(), "overlay2/9e-init: no space left on device")
	})
	t.Run("destroy", func(t *testing.T) {
		p.srv.Close()
		err := p.eng.Destroy(ctx, "shop")
		require.Error(t, err)
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "listing the containers of shop failed: cannot reach the Docker daemon")
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	})
}
