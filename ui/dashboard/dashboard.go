package dashboard

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

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
	// Links are the server's public addresses, for the URLs pages print.
	Links Links
	// Version is shown in the footer.
	Version string
	Logger  *slog.Logger
	// TestWebhook sends one test alert for app ("" for the server); nil
	// sends none (the test button says so).
	TestWebhook func(ctx context.Context, app string, w engine.Webhook) (delivered bool, reason string, err error)
	// CheckWebhook checks a webhook being added against the server's
	// address policy; nil allows any that engine.ValidateWebhook allows.
	CheckWebhook func(w engine.Webhook) error
}

// Dashboard serves the dashboard's pages and assets. It starts no
// goroutines: every operation runs within its request.
type Dashboard struct {
	cfg    Config
	log    *slog.Logger
	pages  map[string]*template.Template
	assets *assetSet
	links  Links
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
	domain := strings.TrimPrefix(cfg.Engine.AppHost("x"), "x.")
	return &Dashboard{cfg: cfg, log: cfg.Logger, pages: loadPages(), assets: a, links: cfg.Links.withDefaults(domain)}
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
	{http.MethodPost, "/apps/:app/previews/destroy", signedIn((*Dashboard).destroyPreview)},
	{http.MethodPost, "/apps/:app/cron/run", signedIn((*Dashboard).runCron)},
	{http.MethodPost, "/apps/:app/addons/restore", signedIn((*Dashboard).restoreAddon)},
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
	{http.MethodGet, "/insights", signedIn((*Dashboard).insightsPage)},
	{http.MethodGet, "/catalog", signedIn((*Dashboard).catalogPage)},
}

// Register mounts the dashboard at the root of e: its pages, and its
// assets under /assets/. It adds no middleware to e itself: each route
// carries its own (security headers, a body limit, identification), so it
// does not matter whether e also runs Auth.Identify.
func (d *Dashboard) Register(e *echo.Echo) {
	mw := []echo.MiddlewareFunc{d.errorPages, secureHeaders, middleware.BodyLimit(maxFormBytes), d.identify}
	for _, r := range append(routes, actionRoutes...) {
		e.Add(r.method, r.path, r.handler(d), mw...)
	}
	e.GET("/assets/:name", d.serveAsset, secureHeaders)
	e.HEAD("/assets/:name", d.serveAsset, secureHeaders)
}

// Handler serves the dashboard as the control host does: every request
// identified (token or session), changes made with a session checked for
// their CSRF token, and every error, unknown paths included, shown as a
// dashboard page.
func (d *Dashboard) Handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	e.Pre(trimSlash)
	e.Use(d.cfg.Auth.Identify, auth.CSRF)
	e.HTTPErrorHandler = d.HandleError
	d.Register(e)
	return e
}

// errorPages shows what the rest of a route's chain fails with (a body over
// the limit) as an error page.
func (d *Dashboard) errorPages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			d.HandleError(err, c)
		}
		return nil
	}
}

// identify runs Auth.Identify unless a middleware of e already has.
func (d *Dashboard) identify(next echo.HandlerFunc) echo.HandlerFunc {
	identified := d.cfg.Auth.Identify(next)
	return func(c echo.Context) error {
		if _, ok := auth.Identity(c); ok {
			return next(c)
		}
		return identified(c)
	}
}

// HandleError shows err as a dashboard error page, with the dashboard's
// security headers. It is an echo.HTTPErrorHandler for what happens before
// a dashboard page runs or outside it: unknown paths, a refused CSRF token
// (auth.CSRF), a body over the limit. Engine errors map to their status;
// echo's own errors keep theirs.
func (d *Dashboard) HandleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = fromHTTPError(he)
	}
	_ = secureHeaders(d.identify(func(c echo.Context) error {
		id, ok := auth.Identity(c)
		return d.fail(c, d.newView(c, id, ok), err)
	}))(c)
}

// fromHTTPError turns echo's errors into engine errors for the error page.
func fromHTTPError(he *echo.HTTPError) error {
	switch he.Code {
	case http.StatusNotFound:
		return engine.Errorf(engine.ENOTFOUND, "there is no page at this address")
	case http.StatusRequestEntityTooLarge:
		return engine.Errorf(engine.ETOOLARGE, "what you sent is too large")
	case http.StatusMethodNotAllowed, http.StatusBadRequest:
		return engine.Errorf(engine.EINVALID, "this page cannot answer that request")
	case http.StatusForbidden:
		return engine.Errorf(engine.EFORBIDDEN, "this is not allowed")
	case http.StatusUnauthorized:
		return engine.Errorf(engine.EUNAUTHORIZED, "sign in first")
	}
	return he
}
