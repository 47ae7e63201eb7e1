package proxy

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnTracker(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	addr := l.Addr().String()
	tr := newConnTracker(time.Second)
	dial := tr.dialer((&net.Dialer{}).DialContext)
	ctx := context.Background()

	t.Run("tracks and forgets", func(t *testing.T) {
		c1, err := dial(ctx, "tcp", addr)
		require.NoError(t, err)
		c2, err := dial(ctx, "tcp", addr)
		require.NoError(t, err)
		assert.Equal(t, 2, tr.count(addr))
		require.NoError(t, c1.Close())
		assert.Equal(t, 1, tr.count(addr))
		require.NoError(t, c2.Close())
		assert.Zero(t, tr.count(addr))
	})

	t.Run("closeAll closes and refuses stragglers until reopen", func(t *testing.T) {
		c, err := dial(ctx, "tcp", addr)
		require.NoError(t, err)
		tr.closeAll(addr)
		assert.Zero(t, tr.count(addr))
		_, err = c.Write([]byte("x"))
		assert.ErrorIs(t, err, net.ErrClosed)
		_ = c.Close() // the pool closing it later is harmless
		assert.Zero(t, tr.count(addr))

		_, err = dial(ctx, "tcp", addr)
		assert.ErrorIs(t, err, errDrained)
		tr.reopen(addr)
		c, err = dial(ctx, "tcp", addr)
		require.NoError(t, err)
		assert.Equal(t, 1, tr.count(addr))
		require.NoError(t, c.Close())
	})

	t.Run("refusal expires", func(t *testing.T) {
		tr := newConnTracker(time.Millisecond)
		tr.closeAll("old:1")
		time.Sleep(5 * time.Millisecond) // the straggle window is 2ms
		tr.closeAll("new:1")
		tr.mu.Lock()
		defer tr.mu.Unlock()
		assert.NotContains(t, tr.closed, "old:1")
		assert.Contains(t, tr.closed, "new:1")
	})
}
