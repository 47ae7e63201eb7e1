package proxy

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawBackend is a backend on 127.0.0.1 that speaks HTTP/1.1 by hand, so a
// test controls every byte of a response and when a connection closes.
// serve is called for each request with the connection's number (from 1)
// and the request's number on that connection (from 1); it writes what it
// likes to c and returns false to close the connection.
type rawBackend struct {
	addr     string
	conns    atomic.Int64 // connections accepted
	requests atomic.Int64 // requests read
	mu       sync.Mutex
	open     map[net.Conn]struct{}
}

func startRawBackend(t testing.TB, serve func(c net.Conn, conn, req int, r *http.Request) bool) *rawBackend {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	rb := &rawBackend{addr: l.Addr().String(), open: map[net.Conn]struct{}{}}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		rb.mu.Lock()
		for c := range rb.open {
			_ = c.Close() // the proxy may keep it in its pool
		}
		rb.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n := int(rb.conns.Add(1))
			rb.mu.Lock()
			rb.open[c] = struct{}{}
			rb.mu.Unlock()
			wg.Go(func() {
				defer rb.forget(c)
				rb.serveConn(c, n, serve)
			})
		}
	})
	return rb
}

func (rb *rawBackend) serveConn(c net.Conn, n int, serve func(c net.Conn, conn, req int, r *http.Request) bool) {
	br := bufio.NewReader(c)
	for i := 1; ; i++ {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		rb.requests.Add(1)
		if !serve(c, n, i, r) {
			return
		}
	}
}

func (rb *rawBackend) forget(c net.Conn) {
	rb.mu.Lock()
	delete(rb.open, c)
	rb.mu.Unlock()
	_ = c.Close()
}

// answer returns a serve function that writes resp to every request and
// keeps the connection open unless closeAfter.
func answer(resp string, closeAfter bool) func(net.Conn, int, int, *http.Request) bool {
	return func(c net.Conn, _, _ int, _ *http.Request) bool {
		_, _ = c.Write([]byte(resp))
		return !closeAfter
	}
}
