package receive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// dialFrom opens a TCP connection to h's SSH port from the loopback
// address from ("127.0.0.2" and so on: every 127/8 address is local).
func (h *harness) dialFrom(t *testing.T, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", h.port))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// banner reads the server's SSH version line from c: "" when the server
// closed the connection instead.
func banner(t *testing.T, c net.Conn) string {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		require.False(t, isTimeout(err), "the server neither answered nor closed: %v", err)
		return ""
	}
	return strings.TrimSpace(line)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// closedWithin reads from c until the server closes it and fails unless
// that happens within d.
func closedWithin(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
	_, err := io.Copy(io.Discard, c)
	assert.False(t, isTimeout(err), "still open after %s", d)
}

func TestSSHHandshakeDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.HandshakeTimeout = 500 * time.Millisecond })

	t.Run("a client that says nothing is cut off", func(t *testing.T) {
		c := h.dialFrom(t, "127.0.0.1")
		closedWithin(t, c, 10*time.Second)
	})

	t.Run("a client that trickles bytes is cut off", func(t *testing.T) {
		c := h.dialFrom(t, "127.0.0.1")
		// A version line and the length of a 256-byte packet whose bytes
		// then come one every 50 ms: each keeps any idle timer happy.
		_, err := io.WriteString(c, "SSH-2.0-Trickle\r\n\x00\x00\x01\x00")
		require.NoError(t, err)
		go func() {
			for {
				time.Sleep(50 * time.Millisecond)
				if _, err := c.Write([]byte{0}); err != nil {
					return
				}
			}
		}()
		closedWithin(t, c, 5*time.Second)
	})

	t.Run("a push that takes longer than the deadline goes through", func(t *testing.T) {
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			select { // a deploy outlasting the handshake deadline
			case <-time.After(1500 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			fmt.Fprintln(req.Output, "Deployed slowly")
			return &engine.Release{App: req.App, Number: 1}, nil
		})
		t.Cleanup(func() { h.deployer.setOnPush(nil) })
		out, err := h.push("slowapp", "main")
		require.NoError(t, err, out)
		assert.Contains(t, out, "Deployed slowly")
	})
}

func TestSSHConnectionCaps(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.MaxConnsPerAddr, c.MaxConns = 2, 3 })
	const want = "SSH-2.0-Quayside"

	c1 := h.dialFrom(t, "127.0.0.1")
	assert.Equal(t, want, banner(t, c1))
	assert.Equal(t, want, banner(t, h.dialFrom(t, "127.0.0.1")))
	assert.Empty(t, banner(t, h.dialFrom(t, "127.0.0.1")), "a third connection from one address is closed")
	assert.Equal(t, want, banner(t, h.dialFrom(t, "127.0.0.2")), "another address still gets in")
	assert.Empty(t, banner(t, h.dialFrom(t, "127.0.0.3")), "beyond the cap in all, nobody gets in")

	require.NoError(t, c1.Close())
	eventually(t, func() bool { return banner(t, h.dialFrom(t, "127.0.0.1")) == want }, "a closed connection frees its place")
}

func TestConnLimiter(t *testing.T) {
	l := newConnLimiter(3, 2)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	assert.True(t, l.acquire(a))
	assert.True(t, l.acquire(a))
	assert.False(t, l.acquire(a))
	assert.True(t, l.acquire(b))
	assert.False(t, l.acquire(b), "the cap in all")
	l.release(a)
	assert.True(t, l.acquire(b))
	l.release(a)
	l.release(b)
	l.release(b)
	assert.Zero(t, l.total)
	assert.Empty(t, l.perAddr)
}
