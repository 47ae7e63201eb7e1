package ui

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// newRemote builds what the control host serves. Every request is
// identified (token or session); changes made with a session need its
// CSRF token.
func (s *Server) newRemote() *echo.Echo {
	e := s.newEcho()
	e.Use(s.auth.Identify, auth.CSRF)
	s.register(e.Group(APIPrefix))
	if s.cfg.Prometheus != nil {
		e.GET("/metrics", s.prometheus)
	}
	if s.cfg.Git != nil {
		e.GET("/:repo/info/refs", s.git)
		e.POST("/:repo/git-receive-pack", s.git)
		e.POST("/:repo/git-upload-pack", s.git)
	}
	if len(s.cfg.InstallScript) > 0 {
		e.GET("/install.sh", s.installScript)
	}
	return e
}

// ServesPath reports whether path belongs to the control host's API side
// (RemoteHandler): the API, /metrics, the install script and git over
// HTTPS ("/<repo>/info/refs", "/<repo>/git-receive-pack",
// "/<repo>/git-upload-pack", and any path inside "<app>.git/"). Every other
// path is the dashboard's.
func ServesPath(path string) bool {
	if strings.HasPrefix(path, APIPrefix+"/") || path == "/metrics" || path == "/install.sh" || strings.Contains(path, ".git/") {
		return true
	}
	repo, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return ok && repo != "" && (rest == "info/refs" || rest == "git-receive-pack" || rest == "git-upload-pack")
}

// prometheus serves the metrics to allowed addresses and to admins.
func (s *Server) prometheus(c echo.Context) error {
	if !s.metricsAllowed(c) {
		if _, ok := engine.IdentityFrom(c.Request().Context()); !ok {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="quayside"`)
			return engine.Errorf(engine.EUNAUTHORIZED, "send an admin's API token (Authorization: Bearer qs_...) or scrape from an address in --metrics-allow")
		}
		return engine.Errorf(engine.EFORBIDDEN, "only admins may read the server's metrics")
	}
	s.cfg.Prometheus.ServeHTTP(c.Response(), c.Request())
	return nil
}

func (s *Server) metricsAllowed(c echo.Context) bool {
	if addr, err := netip.ParseAddr(auth.ClientAddr(c.Request())); err == nil {
		for _, p := range s.cfg.MetricsAllowed {
			if p.Contains(addr.Unmap()) {
				return true
			}
		}
	}
	id, ok := engine.IdentityFrom(c.Request().Context())
	return ok && engine.RoleAllows(id.Role, engine.ActServer)
}

// installScript serves the installer, so a team can add servers from an
// existing one.
func (s *Server) installScript(c echo.Context) error {
	return c.Blob(http.StatusOK, "text/x-shellscript; charset=utf-8", s.cfg.InstallScript)
}

// git serves git over HTTPS to a pusher whose password is an API token
// (any user name). Without one, git is asked for credentials.
func (s *Server) git(c echo.Context) error {
	r := c.Request()
	_, secret, ok := r.BasicAuth()
	if !ok || secret == "" {
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="Quayside (use an API token as the password)"`)
		return c.String(http.StatusUnauthorized, "Quayside needs an API token as the password: `quayside tokens create` makes one.\n")
	}
	from := auth.ClientAddr(r)
	_, u, err := s.cfg.Accounts.AuthenticateToken(r.Context(), secret, from)
	if err != nil {
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="Quayside (use an API token as the password)"`)
		return c.String(http.StatusUnauthorized, engine.ErrorMessage(err)+"\n")
	}
	ctx := engine.WithIdentity(r.Context(), engine.UserIdentity(u, "https", from))
	s.cfg.Git.ServeHTTP(c.Response(), r.WithContext(ctx))
	return nil
}
