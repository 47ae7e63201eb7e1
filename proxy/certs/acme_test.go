package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// TestACME runs one Manager after another against one Pebble, as Quayside
// would live: obtain, restart, floods of unknown names, a host whose DNS is
// wrong, hosts that come and go.
func TestACME(t *testing.T) {
	e := newACMEEnv(t, 0)
	dir := t.TempDir()
	hosts := allow("app.test", "shop.test")
	m := e.manager(t, dir, hosts)
	parent := t // managers made in subtests live as long as the whole test

	t.Run("Manage obtains a certificate and the listener serves it over h2", func(t *testing.T) {
		orders := e.pebble.Orders()
		require.NoError(t, m.Manage(context.Background(), []string{"app.test"}))
		st := waitState(t, m, "app.test", engine.CertValid, 30*time.Second)

		assert.Contains(t, st.Issuer, "Pebble")
		assert.WithinDuration(t, time.Now().Add(90*24*time.Hour), st.NotAfter, 2*time.Hour)
		assert.True(t, st.RenewAt.After(time.Now()) && st.RenewAt.Before(st.NotAfter), "renews before expiry: %v", st.RenewAt)
		assert.Empty(t, st.LastError)
		assert.True(t, m.HasCertificate("app.test"))
		assert.True(t, m.HasCertificate("App.Test"), "names are case-insensitive")
		assert.False(t, m.HasCertificate("shop.test"))
		assert.Equal(t, orders+1, e.pebble.Orders(), "one order")

		cs, err := handshake(e.httpsAddr, "app.test", pool(t, e.pebble.RootPEM))
		require.NoError(t, err, "the chain verifies against Pebble's root")
		assert.Equal(t, "h2", cs.NegotiatedProtocol)
		assert.Equal(t, []string{"app.test"}, cs.PeerCertificates[0].DNSNames)
		_, err = cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			DNSName:       "app.test",
			Roots:         pool(t, e.pebble.RootPEM),
			Intermediates: intermediates(cs.PeerCertificates),
		})
		assert.NoError(t, err)

		resp := get(t, e.httpsAddr, "app.test", pool(t, e.pebble.RootPEM))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, "app says hi over HTTP/2.0", string(body))
	})

	t.Run("the HTTP handler passes everything but challenges through, for any host", func(t *testing.T) {
		ops := m.acme.storageOps()
		for _, c := range []struct{ host, path string }{
			{"app.test", "/"},
			{"app.test", "/.well-known/acme-challenge/unknowntoken"},
			{"evil.test", "/.well-known/acme-challenge/unknowntoken"},
		} {
			resp := plainGet(t, e.httpAddr, c.host, c.path)
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s%s", c.host, c.path)
		}
		assert.LessOrEqual(t, m.acme.storageOps()-ops, int64(2), "only the allowed host's challenge lookup touches storage")
	})

	t.Run("a restart reuses the stored certificate without ordering", func(t *testing.T) {
		require.NoError(t, m.Close())
		orders, issued := e.pebble.Orders(), e.pebble.Issued()
		m = e.manager(parent, dir, hosts)
		start := time.Now()
		require.NoError(t, m.Manage(context.Background(), []string{"app.test"}))
		waitState(t, m, "app.test", engine.CertValid, 2*time.Second)
		t.Logf("valid %v after Manage", time.Since(start))
		_, err := handshake(e.httpsAddr, "app.test", pool(t, e.pebble.RootPEM))
		require.NoError(t, err)
		require.NoError(t, m.Manage(context.Background(), []string{"app.test"}), "managing again (next deploy) is a no-op")
		assert.Equal(t, orders, e.pebble.Orders(), "no new order")
		assert.Equal(t, issued, e.pebble.Issued(), "no new certificate")
	})

	t.Run("a flood of unknown names fails fast without storage or CA", func(t *testing.T) {
		orders, ops, calls := e.pebble.Orders(), m.acme.storageOps(), hosts.calls.Load()
		const n = 2000
		elapsed, failed := flood(e.httpsAddr, n)
		t.Logf("%d handshakes with random SNI in %v (%v each)", n, elapsed, elapsed/n)
		assert.Equal(t, int64(n), failed, "every handshake fails")
		assert.Less(t, elapsed, 30*time.Second)
		assert.Equal(t, orders, e.pebble.Orders(), "no order")
		assert.Equal(t, ops, m.acme.storageOps(), "no storage access")
		assert.GreaterOrEqual(t, hosts.calls.Load()-calls, int64(n), "Allowed decided each")

		_, err := handshake(e.httpsAddr, "", nil)
		assert.Error(t, err, "no SNI (an IP) gets nothing either")
	})

	t.Run("DNS pointing elsewhere fails in plain words, and the failure survives a restart", func(t *testing.T) {
		e.pebble.SetDNS(t, "shop.test", "127.0.0.2")
		require.NoError(t, m.Manage(context.Background(), []string{"shop.test"}))
		st := waitState(t, m, "shop.test", engine.CertFailed, 30*time.Second)
		want := "DNS for shop.test does not resolve to this server (it points to 127.0.0.2): point an A record at this server's address"
		assert.Equal(t, want, st.LastError)
		assert.WithinDuration(t, time.Now(), st.LastErrorAt, time.Minute)
		assert.False(t, m.HasCertificate("shop.test"))

		start := time.Now()
		_, err := handshake(e.httpsAddr, "shop.test", nil)
		assert.Error(t, err)
		assert.Less(t, time.Since(start), 2*time.Second, "a failed host does not hold handshakes")

		require.NoError(t, m.Close())
		orders := e.pebble.Orders()
		var seen backoffSeen
		m = e.manager(parent, dir, hosts, seen.watch(parent))
		st = m.Status(context.Background(), []string{"shop.test"})[0]
		assert.Equal(t, engine.CertFailed, st.State, "known before managing again")
		assert.Equal(t, want, st.LastError)
		require.NoError(t, m.Manage(context.Background(), []string{"app.test", "shop.test"}))
		waitState(t, m, "app.test", engine.CertValid, 2*time.Second)
		require.Eventually(t, func() bool { return seen.waiting("shop.test") }, 10*time.Second, 10*time.Millisecond,
			"a restart waits for the backoff before retrying")
		assert.Equal(t, orders, e.pebble.Orders(), "no order before the backoff")
		assert.Equal(t, engine.CertFailed, m.Status(context.Background(), []string{"shop.test"})[0].State)
		e.pebble.ClearDNS(t, "shop.test")
	})

	t.Run("a handshake for an allowed host not yet managed gets its certificate", func(t *testing.T) {
		hosts.add("late.test")
		orders := e.pebble.Orders()
		cs, err := handshake(e.httpsAddr, "late.test", pool(t, e.pebble.RootPEM))
		require.NoError(t, err)
		assert.Equal(t, []string{"late.test"}, cs.PeerCertificates[0].DNSNames)
		assert.Equal(t, engine.CertValid, m.Status(context.Background(), []string{"late.test"})[0].State)
		assert.Equal(t, orders+1, e.pebble.Orders())
	})

	t.Run("Manage refuses hosts that are not routed here", func(t *testing.T) {
		orders := e.pebble.Orders()
		err := m.Manage(context.Background(), []string{"nope.test"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "nope.test")
		assert.Equal(t, engine.CertNone, m.Status(context.Background(), []string{"nope.test"})[0].State)
		assert.Equal(t, orders, e.pebble.Orders())
	})

	t.Run("Unmanage stops serving; managing again reuses the stored certificate", func(t *testing.T) {
		orders := e.pebble.Orders()
		hosts.remove("late.test")
		require.NoError(t, m.Unmanage(context.Background(), []string{"late.test"}))
		assert.Equal(t, engine.CertNone, m.Status(context.Background(), []string{"late.test"})[0].State)
		assert.False(t, m.HasCertificate("late.test"))
		_, err := handshake(e.httpsAddr, "late.test", nil)
		assert.Error(t, err)

		hosts.add("late.test")
		require.NoError(t, m.Manage(context.Background(), []string{"late.test"}))
		waitState(t, m, "late.test", engine.CertValid, 2*time.Second)
		assert.Equal(t, orders, e.pebble.Orders(), "no new order")
	})

	t.Run("each challenge type works alone", func(t *testing.T) {
		for _, c := range []struct {
			name, host string
			edit       func(*Config)
			used       *atomic.Int64
			unused     *atomic.Int64
		}{
			{"http-01", "h1.test", func(c *Config) { c.DisableTLSALPN01 = true }, &e.httpChecks, &e.tlsChecks},
			{"tls-alpn-01", "t1.test", func(c *Config) { c.DisableHTTP01 = true }, &e.tlsChecks, &e.httpChecks},
		} {
			t.Run(c.name, func(t *testing.T) {
				used, unused := c.used.Load(), c.unused.Load()
				m := e.manager(t, t.TempDir(), allow(c.host), c.edit)
				require.NoError(t, m.Manage(context.Background(), []string{c.host}))
				waitState(t, m, c.host, engine.CertValid, 30*time.Second)
				assert.Greater(t, c.used.Load(), used, "validated with %s", c.name)
				assert.Equal(t, unused, c.unused.Load(), "the other challenge was not used")
				_, err := handshake(e.httpsAddr, c.host, pool(t, e.pebble.RootPEM))
				assert.NoError(t, err)
			})
		}
	})
}

func intermediates(chain []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range chain[1:] {
		p.AddCert(c)
	}
	return p
}

func plainGet(t *testing.T, addr, host, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// flood makes n TLS handshakes with random server names, 8 at a time, and
// returns how long they took and how many failed.
func flood(addr string, n int) (time.Duration, int64) {
	var failed atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if randomHandshake(addr) != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return time.Since(start), failed.Load()
}

func randomHandshake(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	name := fmt.Sprintf("x%016x.random.test", rand.Uint64())
	c := tls.Client(conn, &tls.Config{ServerName: name, InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{tls.X25519}})
	return c.Handshake()
}

// TestACMERenewal uses certificates that live 45 minutes, which certmagic
// considers due for renewal at once (less than 5 of its 10-minute checks
// left): a restart renews, and a renewal that fails is visible.
func TestACMERenewal(t *testing.T) {
	e := newACMEEnv(t, 45*time.Minute)
	dir := t.TempDir()
	hosts := allow("r.test")
	m := e.manager(t, dir, hosts)
	require.NoError(t, m.Manage(context.Background(), []string{"r.test"}))
	first := waitState(t, m, "r.test", engine.CertValid, 30*time.Second)
	assert.WithinDuration(t, time.Now().Add(45*time.Minute), first.NotAfter, 2*time.Minute)
	cs, err := handshake(e.httpsAddr, "r.test", pool(t, e.pebble.RootPEM))
	require.NoError(t, err)
	firstServed := cs.PeerCertificates[0]
	require.NoError(t, m.Close())

	t.Run("a due certificate is renewed and the new one served", func(t *testing.T) {
		orders := e.pebble.Orders()
		m := e.manager(t, dir, hosts)
		require.NoError(t, m.Manage(context.Background(), []string{"r.test"}))
		var served *x509.Certificate
		require.Eventually(t, func() bool {
			cs, err := handshake(e.httpsAddr, "r.test", pool(t, e.pebble.RootPEM))
			if err != nil {
				return false
			}
			served = cs.PeerCertificates[0]
			return served.SerialNumber.Cmp(firstServed.SerialNumber) != 0
		}, 30*time.Second, 20*time.Millisecond, "the renewed certificate is served")
		assert.Equal(t, orders+1, e.pebble.Orders())
		require.Eventually(t, func() bool {
			return m.Status(context.Background(), []string{"r.test"})[0].NotAfter.Equal(served.NotAfter)
		}, 5*time.Second, 10*time.Millisecond, "Status describes the renewed certificate")
		st := m.Status(context.Background(), []string{"r.test"})[0]
		assert.Equal(t, engine.CertValid, st.State)
		assert.Empty(t, st.LastError)
		require.NoError(t, m.Close())
	})

	t.Run("a failing renewal keeps serving and says why; a restart backs off", func(t *testing.T) {
		e.pebble.SetDNS(t, "r.test", "127.0.0.2")
		// Another ACME account, so that Pebble cannot reuse the earlier
		// account's valid authorization and must validate again (and fail).
		m := e.manager(t, dir, hosts, func(c *Config) { c.Email = "other@quayside.test" })
		require.NoError(t, m.Manage(context.Background(), []string{"r.test"}))
		var st engine.CertStatus
		require.Eventually(t, func() bool {
			st = m.Status(context.Background(), []string{"r.test"})[0]
			return st.LastError != ""
		}, 30*time.Second, 20*time.Millisecond)
		assert.Equal(t, engine.CertValid, st.State, "the current certificate is still good")
		assert.Equal(t, "renewing the certificate failed: DNS for r.test does not resolve to this server (it points to 127.0.0.2): point an A record at this server's address", st.LastError)
		assert.True(t, m.HasCertificate("r.test"))
		_, err := handshake(e.httpsAddr, "r.test", pool(t, e.pebble.RootPEM))
		assert.NoError(t, err)
		require.NoError(t, m.Close())

		orders := e.pebble.Orders()
		var seen backoffSeen
		m = e.manager(t, dir, hosts, seen.watch(t))
		require.NoError(t, m.Manage(context.Background(), []string{"r.test"}))
		waitState(t, m, "r.test", engine.CertValid, 2*time.Second)
		require.Eventually(t, func() bool { return seen.waiting("r.test") }, 10*time.Second, 10*time.Millisecond,
			"the renewal waits for the backoff")
		assert.Equal(t, orders, e.pebble.Orders(), "no renewal attempt before the backoff")
		assert.Contains(t, m.Status(context.Background(), []string{"r.test"})[0].LastError, "renewing the certificate failed")
	})
}
