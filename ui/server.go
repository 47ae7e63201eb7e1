package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
	"github.com/quayside/quayside/ui/auth"
	"github.com/quayside/quayside/ui/metrics"
)

// MaxBodyBytes caps API request bodies.
const MaxBodyBytes = 1 << 20

// Config wires the API to the engine.
type Config struct {
	Engine *engine.Engine
	// Accounts, when set, authenticates callers on the control host and
	// checks each route's rule. Without it only the socket is served.
	Accounts *engine.Accounts
	Version  string
	Domain   string
	// ControlURL is where the control host answers ("https://quayside.example.com"):
	// setup links point there.
	ControlURL string
	// GitURL is the prefix of push URLs shown to users ("ssh://git@host:2222/").
	GitURL string
	// Instance is the ID that labels this server's Docker objects.
	Instance string
	// CARoot returns the local CA's root certificate (PEM), nil when the
	// server uses a public CA.
	CARoot func() []byte
	// Series gives apps' metrics history; nil: no history.
	Series metrics.Series
	// Prometheus serves /metrics on the control host to MetricsAllowed
	// addresses or admin tokens; nil: not served.
	Prometheus     http.Handler
	MetricsAllowed []netip.Prefix
	// Git, when set, serves git over HTTPS at /<app>.git/ on the control
	// host, with an API token as the password.
	Git http.Handler
	// TestWebhook sends one test alert to a webhook for app ("" for a
	// server-wide webhook) and says whether the receiver took it and, if
	// not, why (never quoting its answer); its error is for a webhook it
	// will not try (EINVALID). Nil: not offered.
	TestWebhook func(ctx context.Context, app string, w engine.Webhook) (delivered bool, reason string, err error)
	// CheckWebhook checks a webhook being added against the server's
	// address policy (a literal loopback or private address is EINVALID);
	// nil: no check beyond the engine's.
	CheckWebhook func(w engine.Webhook) error
	// InstallScript is served at /install.sh on the control host.
	InstallScript []byte
	// GC collects garbage now (POST /gc); nil: not offered.
	GC     func(context.Context) (*engine.GCReport, error)
	Logger *slog.Logger
}

// Server serves the API: on the control socket to the server's owner, and
// on the control host to signed-in users.
type Server struct {
	cfg    Config
	local  *echo.Echo
	remote *echo.Echo
	auth   *auth.Authenticator
	log    *slog.Logger
	routes []route
	// openAPIDoc is the API description of routes, made once.
	openAPIDoc func() map[string]any
}

// New returns a Server with every route registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, routes: apiRoutes}
	s.openAPIDoc = s.openAPIOnce()
	s.local = s.newEcho()
	s.local.Use(socketIdentity)
	s.register(s.local.Group(APIPrefix))
	if cfg.Accounts != nil {
		s.auth = auth.New(cfg.Accounts)
		s.remote = s.newRemote()
	}
	return s
}

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = errorHandler(s.cfg.Logger)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: "1M",
		// A push's size is git's business: the receiver caps it (--max-push-size).
		Skipper: func(c echo.Context) bool { return strings.HasSuffix(c.Request().URL.Path, "/git-receive-pack") },
	}))
	return e
}

// Handler returns the API of the control socket.
func (s *Server) Handler() http.Handler { return s.local }

// RemoteHandler returns the control host's API side (see ServesPath): the
// API (with sessions and tokens), /metrics, git over HTTPS and the install
// script. The dashboard serves the other paths beside it (cmd mounts the
// two). Nil without Accounts.
func (s *Server) RemoteHandler() http.Handler {
	if s.remote == nil {
		return nil
	}
	return s.remote
}

// Auth returns the authenticator of the control host (nil without Accounts).
func (s *Server) Auth() *auth.Authenticator { return s.auth }

// Routes lists the registered API routes as "METHOD path".
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.local.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) status(c echo.Context) error {
	return c.JSON(http.StatusOK, api.Status{Version: s.cfg.Version, Domain: s.cfg.Domain, GitURL: s.cfg.GitURL, Instance: s.cfg.Instance})
}

func jsonDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}
