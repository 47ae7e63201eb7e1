package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/pebbletest"
)

// httpsClient trusts root and sends every request to addr, whatever the
// URL's host (which still names the server for SNI and Host).
func httpsClient(root []byte, addr string) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(root)
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// waitForCert waits until the app's domain listing says host's certificate is valid.
func (s *server) waitForCert(app, host string) {
	s.t.Helper()
	waitFor(s.t, 60*time.Second, "a certificate for "+host, func() bool {
		for _, line := range strings.Split(s.mustCLI("domains", app), "\n") {
			if strings.HasPrefix(line, host+" ") && strings.Contains(line, " valid ") {
				return true
			}
		}
		return false
	})
}

func TestTLSWithACME(t *testing.T) {
	s := newServer(t, "--domain", "qs.test")
	peb := pebbletest.Start(t, pebbletest.Options{HTTPPort: portOf(s.httpAddr), TLSPort: portOf(s.httpsAddr)})
	rootFile := filepath.Join(t.TempDir(), "pebble-api-root.pem")
	require.NoError(t, os.WriteFile(rootFile, peb.APIRootPEM, 0o644))
	s.flags = append(s.flags, "--acme-ca", peb.DirectoryURL, "--acme-ca-root", rootFile, "--acme-email", "ops@qs.test")
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))

	out := s.mustPush(sampleRepo(t, "secure"), "app")
	assert.Contains(t, out, "Released v1: https://app.qs.test:"+strconv.Itoa(portOf(s.httpsAddr)))
	s.waitForCert("app", "app.qs.test")
	c := httpsClient(peb.RootPEM, s.httpsAddr)

	t.Run("the app answers over HTTPS with HTTP/2 and a chain to the CA", func(t *testing.T) {
		res, err := c.Get("https://app.qs.test/")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, "secure", string(body))
		assert.Equal(t, 2, res.ProtoMajor)
		assert.Equal(t, []string{"app.qs.test"}, res.TLS.PeerCertificates[0].DNSNames)
		headers := s.httpsBody(c, "https://app.qs.test/headers")
		assert.Contains(t, headers, "X-Forwarded-Proto=https")
	})
	t.Run("plain HTTP redirects with 308", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.httpAddr+"/x?y=1", nil)
		req.Host = "app.qs.test"
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusPermanentRedirect, res.StatusCode)
		assert.Equal(t, "https://app.qs.test:"+strconv.Itoa(portOf(s.httpsAddr))+"/x?y=1", res.Header.Get("Location"))
	})
	t.Run("a custom domain gets its own certificate", func(t *testing.T) {
		s.mustCLI("domains", "add", "app", "shop.example.com")
		s.waitForCert("app", "shop.example.com")
		assert.Equal(t, "secure", s.httpsBody(c, "https://shop.example.com/"))
		assert.Contains(t, s.mustCLI("domains", "app"), "Pebble")
	})
	t.Run("an unknown name in SNI gets no certificate and no order", func(t *testing.T) {
		before := peb.Orders()
		_, err := c.Get("https://unknown.qs.test/")
		require.Error(t, err)
		assert.Equal(t, before, peb.Orders())
	})
	t.Run("WebSockets work over TLS", func(t *testing.T) {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(peb.RootPEM)
		d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "app.qs.test"},
			NetDial: func(string, string) (net.Conn, error) { return net.Dial("tcp", s.httpsAddr) }}
		conn, resp, err := d.Dial("wss://app.qs.test/ws", nil)
		if resp != nil {
			resp.Body.Close()
		}
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte("over tls")))
		_, got, err := conn.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, "over tls", string(got))
	})
	t.Run("basic auth and maintenance", func(t *testing.T) {
		s.mustCLI("auth", "set", "app", "ann", stdin("a-long-password\n"))
		res, err := c.Get("https://app.qs.test/")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		req, _ := http.NewRequest(http.MethodGet, "https://app.qs.test/", nil)
		req.SetBasicAuth("ann", "a-long-password")
		res, err = c.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		s.mustCLI("auth", "unset", "app")

		s.mustCLI("maintenance", "on", "app")
		res, err = c.Get("https://app.qs.test/")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		assert.Contains(t, string(body), "maintenance")
		s.mustCLI("maintenance", "off", "app")
		assert.Equal(t, "secure", s.httpsBody(c, "https://app.qs.test/"))
	})
	t.Run("a restart reuses the certificates: no new order", func(t *testing.T) {
		before := peb.Orders()
		s.stop(os.Interrupt)
		s.start()
		assert.Equal(t, "secure", s.httpsBody(c, "https://app.qs.test/"))
		out, err := s.push(sampleRepo(t, "again"), "app", "--force")
		require.NoError(t, err, out)
		assert.Equal(t, "again", s.httpsBody(c, "https://app.qs.test/"))
		assert.Equal(t, before, peb.Orders(), "not per restart, not per deploy")
	})
}

func (s *server) httpsBody(c *http.Client, url string) string {
	s.t.Helper()
	res, err := c.Get(url)
	require.NoError(s.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	require.Equal(s.t, http.StatusOK, res.StatusCode, "GET %s: %s", url, b)
	return string(b)
}

func TestLocalModeServesHTTPSFromItsOwnCA(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "local"), "app")
	root := s.mustCLI("ca", "export")
	require.Contains(t, root, "BEGIN CERTIFICATE")
	c := httpsClient([]byte(root), s.httpsAddr)
	assert.Equal(t, "local", s.httpsBody(c, "https://app.localhost/"))
	assert.Equal(t, "local", s.body("app", "/"), "plain HTTP is not redirected in local mode")
}
