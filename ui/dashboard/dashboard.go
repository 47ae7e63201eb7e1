package dashboard

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
	"github.com/quayside/quayside/ui/metrics"
)

// maxFormBytes caps the body of every dashboard request: the largest form
// holds one config value (engine.MaxConfigValueLen) and a little more.
const maxFormBytes = "128K"

// Config wires the dashboard. Engine, Accounts and Auth are required.
type Config struct {
	Engine   *engine.Engine
	Accounts *engine.Accounts
	Auth     *auth.Authenticator
	// Series gives the charts their history; nil shows "no metrics yet".
	Series metrics.Series
	// Version is shown in the footer.
	Version string
	Logger  *slog.Logger
}

// Dashboard serves the dashboard's pages and assets. It starts no
// goroutines: every operation runs within its request.
type Dashboard struct {
	cfg    Config
	log    *slog.Logger
	pages  map[string]*template.Template
	assets *assetSet
}

// New returns a dashboard over cfg. It panics when Engine, Accounts or
// Auth is nil, or when the embedded templates do not parse (a bug).
func New(cfg Config) *Dashboard {
	if cfg.Engine == nil || cfg.Accounts == nil || cfg.Auth == nil {
		panic("dashboard.New: Engine, Accounts and Auth are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := loadAssets()
	return &Dashboard{cfg: cfg, log: cfg.Logger, pages: loadPages(), assets: a}
}

// route is one dashboard page or action.
type route struct {
	method, path string
	handler      func(*Dashboard) echo.HandlerFunc
}

// routes lists every dashboard route. Pages under /apps/:app answer 404
// for an app the user cannot see, exactly as for one that does not exist.
var routes = []route{
	{http.MethodGet, "/login", public((*Dashboard).loginPage)},
	{http.MethodPost, "/login", public((*Dashboard).login)},
	{http.MethodPost, "/logout", public((*Dashboard).logout)},
	{http.MethodGet, "/setup/:secret", public((*Dashboard).setupPage)},
	{http.MethodPost, "/setup/:secret", public((*Dashboard).setup)},
	{http.MethodGet, "/", signedIn((*Dashboard).overview)},
	{http.MethodGet, "/apps/:app", signedIn((*Dashboard).appPage)},
	{http.MethodPost, "/apps/:app/rollback", signedIn((*Dashboard).rollback)},
	{http.MethodGet, "/apps/:app/releases/:number", signedIn((*Dashboard).releasePage)},
	{http.MethodGet, "/apps/:app/logs", signedIn((*Dashboard).logsPage)},
	{http.MethodGet, "/apps/:app/metrics", signedIn((*Dashboard).metricsPage)},
	{http.MethodGet, "/apps/:app/config", signedIn((*Dashboard).configPage)},
	{http.MethodPost, "/apps/:app/config", signedIn((*Dashboard).setConfig)},
	{http.MethodPost, "/apps/:app/config/unset", signedIn((*Dashboard).unsetConfig)},
	{http.MethodGet, "/apps/:app/domains", signedIn((*Dashboard).domainsPage)},
	{http.MethodPost, "/apps/:app/domains", signedIn((*Dashboard).addDomain)},
	{http.MethodPost, "/apps/:app/domains/remove", signedIn((*Dashboard).removeDomain)},
	{http.MethodGet, "/apps/:app/scale", signedIn((*Dashboard).scalePage)},
	{http.MethodPost, "/apps/:app/scale", signedIn((*Dashboard).scale)},
	{http.MethodGet, "/users", signedIn((*Dashboard).usersPage)},
	{http.MethodPost, "/users/:action", signedIn((*Dashboard).changeUsers)},
	{http.MethodGet, "/tokens", signedIn((*Dashboard).tokensPage)},
	{http.MethodPost, "/tokens", signedIn((*Dashboard).createToken)},
	{http.MethodPost, "/tokens/revoke", signedIn((*Dashboard).revokeToken)},
	{http.MethodGet, "/audit", signedIn((*Dashboard).auditPage)},
}

// Register mounts the dashboard at the root of e: its pages, and its
// assets under /assets/. It adds no middleware to e itself: each route
// carries its own (security headers, a body limit, Auth.Identify), so it
// does not matter whether e also runs Identify.
func (d *Dashboard) Register(e *echo.Echo) {
	mw := []echo.MiddlewareFunc{secureHeaders, middleware.BodyLimit(maxFormBytes), d.cfg.Auth.Identify}
	for _, r := range routes {
		e.Add(r.method, r.path, r.handler(d), mw...)
	}
	e.GET("/assets/:name", d.serveAsset, secureHeaders)
	e.HEAD("/assets/:name", d.serveAsset, secureHeaders)
}

// NotFound answers with the dashboard's 404 page. The server may use it
// for unknown paths outside the API (echo.RouteNotFound).
func (d *Dashboard) NotFound(c echo.Context) error {
	return secureHeaders(d.cfg.Auth.Identify(func(c echo.Context) error {
		id, ok := auth.Identity(c)
		v := d.newView(c, id, ok)
		return d.fail(c, v, engine.Errorf(engine.ENOTFOUND, "there is no page at this address"))
	}))(c)
}
