package egress_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/egress"
)

// target is a loopback server that counts the requests reaching it.
func target(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("secret metadata"))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func get(t *testing.T, c *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	return err
}

func TestClientRefusesLoopbackAtDialTime(t *testing.T) {
	srv, hits := target(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	c := (&egress.Policy{}).Client()
	for _, host := range []string{"127.0.0.1", "localhost"} {
		url := "http://" + net.JoinHostPort(host, itoa(port)) + "/latest/meta-data"
		err := get(t, c, url)
		var refused *egress.RefusedError
		require.True(t, errors.As(err, &refused), "%s: %v", host, err)
		assert.Equal(t, "loopback", refused.Why)
	}
	assert.Zero(t, hits.Load(), "the server behind loopback must not be reached")
}

func TestClientRefusesIPv6LoopbackAndMetadata(t *testing.T) {
	c := (&egress.Policy{}).Client()
	for _, url := range []string{"http://[::1]:9/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1:9/", "http://[::ffff:127.0.0.1]:9/"} {
		err := get(t, c, url)
		var refused *egress.RefusedError
		assert.True(t, errors.As(err, &refused), "%s: %v", url, err)
	}
}

func TestClientReachesAnAllowedRange(t *testing.T) {
	srv, hits := target(t)
	allow, err := egress.ParseAllow([]string{"127.0.0.0/8"})
	require.NoError(t, err)
	c := (&egress.Policy{Allow: allow}).Client()
	require.NoError(t, get(t, c, srv.URL))
	assert.Equal(t, int32(1), hits.Load())
}

func TestClientFollowsNoRedirects(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/", http.StatusFound))
	t.Cleanup(srv.Close)
	allow, err := egress.ParseAllow([]string{"127.0.0.0/8"})
	require.NoError(t, err)
	resp, err := (&egress.Policy{Allow: allow}).Client().Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

// TestDNSRebindingIsRefusedAtDialTime runs a DNS server that answers a
// public address to the first query (when the URL is checked) and
// 127.0.0.1 to later ones (when it is used): the dial is refused by the
// Control hook, on the address actually dialled.
func TestDNSRebindingIsRefusedAtDialTime(t *testing.T) {
	srv, hits := target(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	dns := rebindingDNS(t, netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1"))
	p := &egress.Policy{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dns)
	}}}

	first, err := p.Resolver.LookupNetIP(t.Context(), "ip4", "rebind.example")
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.NoError(t, p.Check(first[0]), "the address seen at validation is public")

	err = get(t, p.Client(), "http://rebind.example:"+itoa(port)+"/")
	var refused *egress.RefusedError
	require.True(t, errors.As(err, &refused), "%v", err)
	assert.Equal(t, netip.MustParseAddr("127.0.0.1"), refused.Addr)
	assert.Zero(t, hits.Load())
}

func TestControlHookRefusesTheDialledAddress(t *testing.T) {
	p := &egress.Policy{}
	assert.Error(t, p.Control("tcp4", "127.0.0.1:80", nil))
	assert.Error(t, p.Control("tcp6", "[::1]:443", nil))
	assert.Error(t, p.Control("tcp6", "[fe80::1%lo]:443", nil))
	assert.Error(t, p.Control("tcp", "not-an-address", nil))
	allow, _ := egress.ParseAllow([]string{"127.0.0.0/8"})
	assert.NoError(t, (&egress.Policy{Allow: allow}).Control("tcp4", "127.0.0.1:80", nil))
}

// rebindingDNS serves A queries on loopback: first answers the first
// query, then every later one; other queries get no answer records.
func rebindingDNS(t *testing.T, first, then netip.Addr) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	var asked atomic.Int32
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := buf[:n]
			addr := then
			if isA(q) && asked.Add(1) == 1 {
				addr = first
			}
			_, _ = pc.WriteTo(answer(q, addr), from)
		}
	}()
	return pc.LocalAddr().String()
}

// questionEnd is the offset just past the one question of query q.
func questionEnd(q []byte) int {
	i := 12
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	return i + 5 // root label, type, class
}

func isA(q []byte) bool {
	end := questionEnd(q)
	return end <= len(q) && binary.BigEndian.Uint16(q[end-4:]) == 1
}

// answer makes the response to query q: one A record of addr for an A
// query, none for anything else.
func answer(q []byte, addr netip.Addr) []byte {
	end := min(questionEnd(q), len(q))
	resp := append([]byte{}, q[:end]...)
	binary.BigEndian.PutUint16(resp[2:], 0x8180)
	binary.BigEndian.PutUint16(resp[6:], 0)
	binary.BigEndian.PutUint16(resp[8:], 0)
	binary.BigEndian.PutUint16(resp[10:], 0)
	if !isA(q) {
		return resp
	}
	binary.BigEndian.PutUint16(resp[6:], 1)
	a := addr.As4()
	resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4)
	return append(resp, a[:]...)
}

func itoa(n int) string { return strconv.Itoa(n) }
