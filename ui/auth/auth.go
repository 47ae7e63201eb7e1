package auth

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// Names shared with the dashboard's forms and scripts.
const (
	// CookieName is the session cookie over plain HTTP (local mode); over
	// TLS it is "__Host-" + CookieName. Its value is the session secret.
	CookieName = "quayside_session"
	// CSRFField is the hidden form field carrying the session's CSRF token.
	CSRFField = "csrf_token"
	// CSRFHeader carries the CSRF token on script requests.
	CSRFHeader = "X-CSRF-Token"
)

// Context keys for what Identify found.
const (
	identityKey = "quayside.identity"
	sessionKey  = "quayside.session"
	problemKey  = "quayside.auth_problem"
)

// Authenticator resolves credentials through the accounts.
type Authenticator struct {
	accounts *engine.Accounts
}

// New returns an Authenticator over accounts.
func New(accounts *engine.Accounts) *Authenticator {
	return &Authenticator{accounts: accounts}
}

// Identify resolves the request's bearer token or session cookie, in that
// order, and puts the identity on the request context (engine.WithIdentity)
// and the session, if any, on c. It never rejects a request: a credential
// that does not hold is remembered for Require to explain.
func (a *Authenticator) Identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, sess, err := a.identify(c)
		switch {
		case err != nil:
			c.Set(problemKey, err)
		case id != nil:
			c.Set(identityKey, *id)
			c.Set(sessionKey, sess)
			r := c.Request()
			c.SetRequest(r.WithContext(engine.WithIdentity(r.Context(), *id)))
		}
		return next(c)
	}
}

// identify returns the request's identity, nil without credentials.
func (a *Authenticator) identify(c echo.Context) (*engine.Identity, *engine.Session, error) {
	from := ClientAddr(c.Request())
	if secret, ok := bearer(c.Request()); ok {
		_, u, err := a.accounts.AuthenticateToken(c.Request().Context(), secret, from)
		if err != nil {
			return nil, nil, err
		}
		id := engine.UserIdentity(u, "token", from)
		return &id, nil, nil
	}
	ck, err := SessionCookie(c)
	if err != nil || ck.Value == "" {
		return nil, nil, nil
	}
	s, u, err := a.accounts.Authenticate(c.Request().Context(), ck.Value)
	if err != nil {
		if engine.ErrorCode(err) == engine.EUNAUTHORIZED {
			a.ClearCookie(c) // an ended session: forget it
		}
		return nil, nil, err
	}
	id := engine.UserIdentity(u, "session", from)
	return &id, s, nil
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(secret), true
}

// Identity returns the identity Identify found.
func Identity(c echo.Context) (engine.Identity, bool) {
	id, ok := c.Get(identityKey).(engine.Identity)
	return id, ok
}

// Session returns the session of a cookie-authenticated request, nil for
// tokens and anonymous requests.
func Session(c echo.Context) *engine.Session {
	s, _ := c.Get(sessionKey).(*engine.Session)
	return s
}

// Require rejects requests without a valid identity (see Unauthenticated).
func Require(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := Identity(c); ok {
			return next(c)
		}
		return Unauthenticated(c)
	}
}

// Unauthenticated is the EUNAUTHORIZED answer to a request without a valid
// identity: why its credential was refused, or how to send one.
func Unauthenticated(c echo.Context) error {
	if err, ok := c.Get(problemKey).(error); ok {
		return err
	}
	return engine.Errorf(engine.EUNAUTHORIZED, "sign in first: send an API token (Authorization: Bearer qs_...) or sign in to the dashboard; `quayside login URL` sets up the CLI")
}

// CSRF rejects changes (any method but GET, HEAD, OPTIONS) made with a
// session cookie unless the form field or header carries the session's
// CSRF token. Token-authenticated requests need none: browsers never send
// bearer tokens by themselves.
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := Session(c)
		if s == nil || safeMethod(c.Request().Method) {
			return next(c)
		}
		token := c.Request().Header.Get(CSRFHeader)
		if token == "" {
			token = c.FormValue(CSRFField)
		}
		if !engine.CheckCSRF(s, token) {
			return engine.Errorf(engine.EFORBIDDEN, "this form has expired or did not come from Quayside: reload the page and try again")
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// SetCookie gives the browser the session secret: HttpOnly, SameSite=Lax,
// Secure when the request came over TLS, for the whole host.
func (a *Authenticator) SetCookie(c echo.Context, secret string, expires time.Time) {
	c.SetCookie(&http.Cookie{
		Name: cookieName(c), Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: c.IsTLS(), SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie removes the session cookie.
func (a *Authenticator) ClearCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: cookieName(c), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.IsTLS(), SameSite: http.SameSiteLaxMode,
	})
}

// cookieName is the session cookie's name: over TLS it carries the
// __Host- prefix, so no app on a sibling host (<app>.<domain>) can set a
// cookie that reaches the control host under that name.
func cookieName(c echo.Context) string {
	if c.IsTLS() {
		return "__Host-" + CookieName
	}
	return CookieName
}

// SessionCookie returns the session cookie the browser sent.
func SessionCookie(c echo.Context) (*http.Cookie, error) {
	return c.Cookie(cookieName(c))
}

// ClientAddr is the address the request came from: the peer's IP.
// Forwarding headers are not trusted: the control host is served by
// Quayside's own proxy in the same process.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
