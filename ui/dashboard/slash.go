package dashboard

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// trimSlash redirects a GET or HEAD of a page path with a trailing slash
// (/apps/hello/) to the path without it, query kept, as people type and
// paste such paths. The target is always a path on this host: leading
// slashes are folded into one and a path with a backslash is left alone
// (browsers read /\evil.example as //evil.example), so no such path can
// become a redirect to another site.
func trimSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		p := r.URL.EscapedPath()
		if len(p) < 2 || !strings.HasSuffix(p, "/") || strings.Contains(r.URL.Path, `\`) ||
			(r.Method != http.MethodGet && r.Method != http.MethodHead) {
			return next(c)
		}
		to := "/" + strings.Trim(p, "/")
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		return c.Redirect(http.StatusMovedPermanently, to)
	}
}
