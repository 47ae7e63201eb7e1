package receive

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func itoa(i int) string { return strconv.Itoa(i) }

func TestRunHook(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const refLine = zeroID + " 1111111111111111111111111111111111111111 refs/heads/main\n"
	hookEnv := func(pushID string) []string {
		return []string{EnvHookSocket + "=" + h.cfg.HookSocket, EnvPushID + "=" + pushID}
	}

	t.Run("an unknown push id is refused", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := RunHook(context.Background(), strings.NewReader(refLine), &stdout, &stderr, hookEnv("0123456789abcdef"))
		assert.Equal(t, 1, code)
		assert.Contains(t, stdout.String(), "! Push rejected: this push is unknown to Quayside or has expired")
		assert.Empty(t, h.deployer.requests())
	})

	t.Run("a push id is good for one hook call", func(t *testing.T) {
		p, err := h.srv.pushes.add(context.Background(), "myapp", "alice", t.TempDir())
		require.NoError(t, err)
		defer h.srv.pushes.remove(p.id)
		_, ok := h.srv.pushes.claim(p.id)
		require.True(t, ok)
		var stdout bytes.Buffer
		code := RunHook(context.Background(), strings.NewReader(refLine), &stdout, &bytes.Buffer{}, hookEnv(p.id))
		assert.Equal(t, 1, code)
		assert.Contains(t, stdout.String(), "unknown to Quayside or has expired")
	})

	t.Run("outside a push", func(t *testing.T) {
		var stderr bytes.Buffer
		code := RunHook(context.Background(), strings.NewReader(refLine), &bytes.Buffer{}, &stderr, nil)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), "ran outside a push to Quayside")
	})

	t.Run("daemon not reachable", func(t *testing.T) {
		var stderr bytes.Buffer
		env := []string{EnvHookSocket + "=" + t.TempDir() + "/none.sock", EnvPushID + "=x"}
		code := RunHook(context.Background(), strings.NewReader(refLine), &bytes.Buffer{}, &stderr, env)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), "daemon is not reachable")
	})

	t.Run("malformed ref lines", func(t *testing.T) {
		var stderr bytes.Buffer
		code := RunHook(context.Background(), strings.NewReader("garbage\n"), &bytes.Buffer{}, &stderr, hookEnv("x"))
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), "malformed ref update")
	})

	t.Run("a malformed request is refused", func(t *testing.T) {
		conn, err := net.Dial("unix", h.cfg.HookSocket)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Write([]byte(`{"version":99}` + "\n"))
		require.NoError(t, err)
		var out bytes.Buffer
		code, err := relayFrames(bufio.NewReader(conn), &out)
		require.NoError(t, err)
		assert.Equal(t, 1, code)
		assert.Contains(t, out.String(), "! Push rejected: Internal error.")
	})

	t.Run("dropping the hook connection cancels the deploy", func(t *testing.T) {
		started := make(chan struct{})
		deployErr := make(chan error, 1)
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			close(started)
			<-ctx.Done()
			deployErr <- ctx.Err()
			return nil, ctx.Err()
		})
		defer h.deployer.setOnPush(nil)
		p, err := h.srv.pushes.add(context.Background(), "myapp", "alice", t.TempDir())
		require.NoError(t, err)
		defer h.srv.pushes.remove(p.id)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- RunHook(ctx, strings.NewReader(refLine), &bytes.Buffer{}, &bytes.Buffer{}, hookEnv(p.id))
		}()
		waitFor(t, started, "deploy starts")
		cancel() // what Ctrl-C on the pusher's side amounts to
		assert.ErrorIs(t, recvErr(t, deployErr), context.Canceled)
		select {
		case code := <-done:
			assert.Equal(t, 1, code)
		case <-time.After(10 * time.Second):
			t.Fatal("RunHook did not return")
		}
	})
}
