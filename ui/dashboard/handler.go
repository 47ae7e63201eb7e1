package dashboard

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// pageFunc handles one dashboard request with the view it renders into.
// An error it returns is shown as an error page (see fail).
type pageFunc func(d *Dashboard, c echo.Context, v *view) error

// public wraps a page anyone may reach (sign-in, setup links). Changes
// must still come from the dashboard's own pages.
func public(h pageFunc) func(*Dashboard) echo.HandlerFunc {
	return func(d *Dashboard) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, ok := auth.Identity(c)
			v := d.newView(c, id, ok)
			if !isSafe(c.Request().Method) && !auth.SameOrigin(c.Request()) {
				return d.fail(c, v, errCrossSite)
			}
			if err := h(d, c, v); err != nil {
				return d.fail(c, v, err)
			}
			return nil
		}
	}
}

// signedIn wraps a page for signed-in users: anyone else is sent to sign
// in. Changes need the session's CSRF token and a same-origin request.
func signedIn(h pageFunc) func(*Dashboard) echo.HandlerFunc {
	return func(d *Dashboard) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, ok := auth.Identity(c)
			if !ok {
				return toLogin(c)
			}
			v := d.newView(c, id, ok)
			if !isSafe(c.Request().Method) {
				if err := checkChange(c, id); err != nil {
					return d.fail(c, v, err)
				}
			}
			if err := h(d, c, v); err != nil {
				return d.fail(c, v, err)
			}
			return nil
		}
	}
}

var (
	errCrossSite = engine.Errorf(engine.EFORBIDDEN, "this request came from another site: use the forms of the Quayside dashboard")
	errCSRF      = engine.Errorf(engine.EFORBIDDEN, "this form has expired or did not come from Quayside: reload the page and try again")
)

// checkChange refuses a change that did not come from the dashboard: from
// another site, or from a session without its CSRF token. Requests with an
// API token carry no ambient credential and need no CSRF token.
func checkChange(c echo.Context, id engine.Identity) error {
	if !auth.SameOrigin(c.Request()) {
		return errCrossSite
	}
	if id.Via == "token" && auth.Session(c) == nil {
		return nil
	}
	token := c.Request().Header.Get(auth.CSRFHeader)
	if token == "" {
		token = c.FormValue(auth.CSRFField)
	}
	if !engine.CheckCSRF(auth.Session(c), token) {
		return errCSRF
	}
	return nil
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// toLogin sends the browser to sign in, and back here afterwards.
func toLogin(c echo.Context) error {
	target := "/login"
	if c.Request().Method == http.MethodGet && c.Request().URL.RequestURI() != "/" {
		target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// localPath returns next when it is a path on this host, "/" otherwise, so
// that the sign-in form cannot send anyone elsewhere.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// redirectDone sends the browser to path with a flash message code.
func redirectDone(c echo.Context, path, done string) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return c.Redirect(http.StatusSeeOther, path+sep+"done="+url.QueryEscape(done))
}

// appPath is the dashboard path of app (and sub-page rest).
func appPath(app string, rest ...string) string {
	p := "/apps/" + url.PathEscape(app)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}
