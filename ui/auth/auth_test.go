package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/ui/auth"
)

type hasher struct{}

func (hasher) Hash(pw string) (string, error) { return password.Hash(pw) }
func (hasher) Check(h, pw string) error       { return password.Check(h, pw) }

// fixture is an echo server behind Identify, Require and CSRF whose one
// route answers who called, and a signed-in session and token of a user.
type fixture struct {
	e        *echo.Echo
	a        *auth.Authenticator
	session  *engine.Session
	secret   string
	token    string
	accounts *engine.Accounts
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	acc := engine.NewAccounts(engine.AccountsConfig{Store: db, Hasher: hasher{}})
	_, link, err := acc.AddUser(ctx, "ann@example.test", engine.RoleDeveloper)
	require.NoError(t, err)
	require.NoError(t, acc.SetPasswordWithLink(ctx, link, "a long enough password"))
	sess, secret, err := acc.SignIn(ctx, "ann@example.test", "a long enough password", "192.0.2.1")
	require.NoError(t, err)
	_, token, err := acc.CreateToken(ctx, "ann@example.test", "t", 0)
	require.NoError(t, err)
	f := &fixture{e: echo.New(), a: auth.New(acc), session: sess, secret: secret, token: token, accounts: acc}
	f.e.Use(f.a.Identify, auth.CSRF)
	who := func(c echo.Context) error {
		id, _ := auth.Identity(c)
		return c.String(http.StatusOK, id.Name+" via "+id.Via)
	}
	f.e.Any("/who", who, auth.Require)
	f.e.HTTPErrorHandler = func(err error, c echo.Context) {
		status := map[string]int{engine.EUNAUTHORIZED: 401, engine.EFORBIDDEN: 403}[engine.ErrorCode(err)]
		_ = c.String(status, engine.ErrorMessage(err))
	}
	return f
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, r)
	return rec
}

func TestIdentify(t *testing.T) {
	f := newFixture(t)
	r := httptest.NewRequest("GET", "/who", nil)
	assert.Equal(t, http.StatusUnauthorized, f.do(r).Code, "no credentials")

	r = httptest.NewRequest("GET", "/who", nil)
	r.Header.Set("Authorization", "Bearer "+f.token)
	rec := f.do(r)
	assert.Equal(t, "ann@example.test via token", rec.Body.String())

	r = httptest.NewRequest("GET", "/who", nil)
	r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: f.secret})
	assert.Equal(t, "ann@example.test via session", f.do(r).Body.String())

	r = httptest.NewRequest("GET", "/who", nil)
	r.Header.Set("Authorization", "Bearer qs_0000000000000000000000000000000000000000")
	rec = f.do(r)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Body.String(), "not valid", "a bad token is explained")

	r = httptest.NewRequest("GET", "/who", nil)
	r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: "forged-session-value-forged-session-value"})
	rec = f.do(r)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Header().Get("Set-Cookie"), auth.CookieName+"=;", "an ended session's cookie is cleared")
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	post := func(form url.Values, header string) int {
		r := httptest.NewRequest("POST", "/who", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: f.secret})
		if header != "" {
			r.Header.Set(auth.CSRFHeader, header)
		}
		return f.do(r).Code
	}
	assert.Equal(t, http.StatusForbidden, post(url.Values{}, ""), "a cookie alone cannot change anything")
	assert.Equal(t, http.StatusForbidden, post(url.Values{auth.CSRFField: {"wrong"}}, ""))
	assert.Equal(t, http.StatusOK, post(url.Values{auth.CSRFField: {f.session.CSRFToken}}, ""))
	assert.Equal(t, http.StatusOK, post(url.Values{}, f.session.CSRFToken))

	r := httptest.NewRequest("POST", "/who", nil)
	r.Header.Set("Authorization", "Bearer "+f.token)
	assert.Equal(t, http.StatusOK, f.do(r).Code, "tokens need no CSRF token")
}

func TestCookieAttributes(t *testing.T) {
	f := newFixture(t)
	for _, overTLS := range []bool{false, true} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		if overTLS {
			r.TLS = &tls.ConnectionState{}
		}
		f.a.SetCookie(f.e.NewContext(r, rec), "s3cret", time.Now().Add(time.Hour))
		ck := rec.Result().Cookies()[0]
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		assert.Equal(t, overTLS, ck.Secure, "Secure over TLS")
		assert.Equal(t, "/", ck.Path)
		if overTLS {
			assert.Equal(t, "__Host-"+auth.CookieName, ck.Name, "apps on sibling hosts cannot set it")
		}
	}
}

func TestClientAddrIgnoresForwardingHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "198.51.100.7:4242"
	r.Header.Set("X-Forwarded-For", "10.0.0.1")
	assert.Equal(t, "198.51.100.7", auth.ClientAddr(r))
}
