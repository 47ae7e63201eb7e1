package receive

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// TestHeldPushStopsWhenCutOff pushes with a Hold whose context the test
// cancels mid-deploy, as Accounts does when the pusher is disabled: the
// deploy's context ends, the push is rejected with the reason, and the
// ref does not move.
func TestHeldPushStopsWhenCutOff(t *testing.T) {
	held := make(chan context.CancelCauseFunc, 1)
	h := newHarness(t, func(c *Config) {
		c.Hold = func(ctx context.Context) (context.Context, context.CancelFunc) {
			hctx, cancel := context.WithCancelCause(ctx)
			held <- cancel
			return hctx, func() { cancel(context.Canceled) }
		}
	})
	deploying := make(chan struct{})
	h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
		close(deploying)
		select {
		case <-ctx.Done():
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "the deploy was cancelled")
		case <-time.After(time.Minute):
			return &engine.Release{Number: 1}, nil
		}
	})
	var cut context.CancelCauseFunc
	go func() {
		cut = <-held
		<-deploying
		cut(engine.ErrAccountDisabled)
	}()
	start := time.Now()
	out, err := h.push("myapp", "main")
	require.Error(t, err, out)
	assert.Less(t, time.Since(start), 30*time.Second, "stopped at once, not at the deploy's end")
	assert.Contains(t, out, "your account was disabled")
	assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"), "the ref does not move")
}
