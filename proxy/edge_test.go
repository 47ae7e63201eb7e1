package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
)

func noRedirects() *http.Client {
	c := newClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func TestHTTPSRedirect(t *testing.T) {
	certs := map[string]bool{"shop.test": true}
	p, srv := newTestProxy(t, Options{HasCertificate: func(h string) bool { return certs[h] }, HTTPSPort: "8443"})
	be := startBackend(t, "app", nil)
	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test", "new.test"}, Backends: []string{addrOf(be)}, Edge: engine.DefaultEdge()})
	c := noRedirects()

	r := get(t, c, srv.URL+"/a/b?c=d", "shop.test")
	assert.Equal(t, http.StatusPermanentRedirect, r.status)
	assert.Equal(t, "https://shop.test:8443/a/b?c=d", r.header.Get("Location"))

	r = get(t, c, srv.URL+"/", "new.test")
	assert.Equal(t, "app", r.body, "no certificate yet: no redirect")

	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test"}, Backends: []string{addrOf(be)}})
	r = get(t, c, srv.URL+"/", "shop.test")
	assert.Equal(t, "app", r.body, "the app turned the redirect off")
}

func TestHSTSOnlyOverTLS(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	be := startBackend(t, "app", nil)
	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test"}, Backends: []string{addrOf(be)}, Edge: engine.Edge{HSTS: true}})
	tls := httptest.NewTLSServer(p)
	t.Cleanup(tls.Close)
	plain := httptest.NewServer(p)
	t.Cleanup(plain.Close)

	req, _ := http.NewRequest(http.MethodGet, tls.URL, nil)
	req.Host = "shop.test"
	res, err := tls.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"))

	r := get(t, newClient(), plain.URL, "shop.test")
	assert.Empty(t, r.header.Get("Strict-Transport-Security"))
}

func TestMaintenance(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	be := startBackend(t, "app", nil)
	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test"}, Backends: []string{addrOf(be)}, Edge: engine.Edge{Maintenance: true}})
	r := get(t, newClient(), srv.URL, "shop.test")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Contains(t, r.body, "maintenance")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	assertBland(t, r, "shop")

	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test"}, Edge: engine.Edge{Maintenance: true, MaintenancePage: "<h1>Back at 5</h1>"}})
	r = get(t, newClient(), srv.URL, "shop.test")
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "even with no backend")
	assert.Equal(t, "<h1>Back at 5</h1>", r.body)
}

func TestBasicAuth(t *testing.T) {
	hash, err := password.Hash("s3cret-pass")
	require.NoError(t, err)
	p, srv := newTestProxy(t, Options{})
	be := startBackend(t, "", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "auth header reached the app: "+r.Header.Get("Authorization"))
	})
	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.test"}, Backends: []string{addrOf(be)},
		Edge: engine.Edge{BasicAuthUser: "ann", BasicAuthHash: hash}})
	c := newClient()
	send := func(user, pw string) response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Host = "shop.test"
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return response{status: res.StatusCode, header: res.Header, body: string(b)}
	}
	r := send("", "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `Basic realm="shop"`)
	assert.Equal(t, http.StatusUnauthorized, send("ann", "wrong").status)
	assert.Equal(t, http.StatusUnauthorized, send("bob", "s3cret-pass").status)
	for range 3 { // the second and third use the cached verdict
		r = send("ann", "s3cret-pass")
		assert.Equal(t, http.StatusOK, r.status)
	}
	assert.Contains(t, r.body, "Basic ", "the app may see the credentials, as behind any proxy")
}

func TestControlHost(t *testing.T) {
	control := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "dashboard") })
	p, srv := newTestProxy(t, Options{ControlHost: "quayside.example.test", Control: control})
	assert.Equal(t, "dashboard", get(t, newClient(), srv.URL, "Quayside.Example.Test:80").body)
	assert.True(t, p.Serves("quayside.example.test"))
	assert.False(t, p.Serves("nope.example.test"))
	p.SetRoute(engine.Route{App: "shop", Hosts: []string{"shop.example.test"}})
	assert.True(t, p.Serves("shop.example.test"))
	assert.True(t, p.Serves("SHOP.example.test."))
}
