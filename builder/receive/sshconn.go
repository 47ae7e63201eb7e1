package receive

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gliderlabs/ssh"
)

// SSH connections are bounded before anyone has authenticated: each
// address may hold Config.MaxConnsPerAddr connections and all together
// Config.MaxConns (more are closed at once, before the SSH banner), and a
// connection must finish the handshake, authenticate and start its
// command within Config.HandshakeTimeout, however slowly it trickles
// bytes. After that the idle timeout (sshIdleTimeout) applies.

// Defaults for the zero values of the Config fields above.
const (
	DefaultHandshakeTimeout = 20 * time.Second
	DefaultMaxConns         = 256
	DefaultMaxConnsPerAddr  = 16
)

// connLimiter counts open SSH connections, in all and per address.
type connLimiter struct {
	max, maxPerAddr int
	mu              sync.Mutex
	total           int
	perAddr         map[netip.Addr]int
}

func newConnLimiter(max, maxPerAddr int) *connLimiter {
	return &connLimiter{max: max, maxPerAddr: maxPerAddr, perAddr: map[netip.Addr]int{}}
}

// acquire counts one more connection from addr, or reports false when a
// cap is reached.
func (l *connLimiter) acquire(addr netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max || l.perAddr[addr] >= l.maxPerAddr {
		return false
	}
	l.total++
	l.perAddr[addr]++
	return true
}

// release forgets one connection from addr.
func (l *connLimiter) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.perAddr[addr]--; l.perAddr[addr] <= 0 {
		delete(l.perAddr, addr)
	}
}

// guardedConn is an SSH connection counted by a connLimiter. Until
// started, every deadline set on it (gliderlabs/ssh sets one per read and
// write for its idle timeout) is capped at the handshake deadline.
type guardedConn struct {
	net.Conn
	handshakeEnd time.Time
	started      atomic.Bool
	release      func()
	once         sync.Once
}

func (c *guardedConn) SetDeadline(t time.Time) error     { return c.Conn.SetDeadline(c.capped(t)) }
func (c *guardedConn) SetReadDeadline(t time.Time) error { return c.Conn.SetReadDeadline(c.capped(t)) }
func (c *guardedConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(c.capped(t))
}

func (c *guardedConn) capped(t time.Time) time.Time {
	if !c.started.Load() && (t.IsZero() || t.After(c.handshakeEnd)) {
		return c.handshakeEnd
	}
	return t
}

// start lifts the handshake deadline: the client has authenticated and
// asked for its command. The idle timeout takes over.
func (c *guardedConn) start() {
	if c.started.CompareAndSwap(false, true) {
		_ = c.Conn.SetDeadline(time.Now().Add(sshIdleTimeout))
	}
}

// Close closes the connection and releases its count once.
func (c *guardedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// guardKey is the ssh.Context key of a connection's guardedConn.
type guardKey struct{}

// admit is the SSH server's ConnCallback: it refuses a connection over
// the caps (nil: gliderlabs/ssh closes it) and puts the others under the
// handshake deadline.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	addr := peerAddr(c)
	if !s.conns.acquire(addr) {
		s.log.Debug("ssh connection refused: too many connections", "remote", addr.String())
		return nil
	}
	g := &guardedConn{Conn: c, handshakeEnd: time.Now().Add(s.cfg.HandshakeTimeout),
		release: func() { s.conns.release(addr) }}
	_ = g.SetDeadline(g.handshakeEnd)
	ctx.SetValue(guardKey{}, g)
	return g
}

// sessionStarted lifts the handshake deadline of the session's connection.
func sessionStarted(sess ssh.Session) {
	if g, ok := sess.Context().Value(guardKey{}).(*guardedConn); ok {
		g.start()
	}
}

// peerAddr is c's remote IP (IPv4-mapped addresses unmapped); the zero
// Addr for a connection without one.
func peerAddr(c net.Conn) netip.Addr {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		if a, ok := netip.AddrFromSlice(ta.IP); ok {
			return a.Unmap()
		}
	}
	return netip.Addr{}
}
