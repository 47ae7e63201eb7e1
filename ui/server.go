package ui

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// MaxBodyBytes caps API request bodies.
const MaxBodyBytes = 1 << 20

// Config wires the API to the engine.
type Config struct {
	Engine  *engine.Engine
	Version string
	Domain  string
	// GitURL is the prefix of push URLs shown to users ("ssh://git@host:2222/").
	GitURL string
	// Instance is the ID that labels this server's Docker objects.
	Instance string
	// CARoot returns the local CA's root certificate (PEM), nil when the
	// server uses a public CA.
	CARoot func() []byte
	Logger *slog.Logger
}

// Server serves the API.
type Server struct {
	cfg  Config
	echo *echo.Echo
	log  *slog.Logger
}

// New returns a Server with every route registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, echo: echo.New(), log: cfg.Logger}
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = errorHandler(cfg.Logger)
	s.echo.Use(middleware.BodyLimit("1M"))
	s.routes(s.echo.Group("/api/v1"))
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Routes lists the registered routes as "METHOD path".
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) routes(g *echo.Group) {
	g.GET("/status", s.status)
	g.GET("/apps", s.listApps)
	g.POST("/apps", s.createApp)
	g.GET("/apps/:app", s.getApp)
	g.PATCH("/apps/:app", s.updateApp)
	g.DELETE("/apps/:app", s.destroyApp)
	g.GET("/apps/:app/releases", s.listReleases)
	g.GET("/apps/:app/releases/:number/output", s.releaseOutput)
	g.GET("/apps/:app/events", s.listEvents)
	g.GET("/apps/:app/logs", s.getLogs)
	g.GET("/apps/:app/logs/ws", s.logsWebSocket)
	g.GET("/apps/:app/config", s.getConfig)
	g.PATCH("/apps/:app/config", s.changeConfig)
	g.POST("/apps/:app/rollback", s.rollback)
	g.GET("/apps/:app/ps", s.listProcesses)
	g.POST("/apps/:app/scale", s.scale)
	g.POST("/apps/:app/run", s.runOneOff)
	g.DELETE("/apps/:app/build-cache", s.clearBuildCache)
	g.GET("/apps/:app/domains", s.listDomains)
	g.POST("/apps/:app/domains", s.addDomain)
	g.DELETE("/apps/:app/domains/:host", s.removeDomain)
	g.PATCH("/apps/:app/edge", s.changeEdge)
	g.PUT("/apps/:app/basic-auth", s.setBasicAuth)
	g.DELETE("/apps/:app/basic-auth", s.removeBasicAuth)
	g.GET("/ca/root.pem", s.caRoot)
	g.GET("/keys", s.listKeys)
	g.POST("/keys", s.addKey)
	g.DELETE("/keys/:name", s.removeKey)
}

func (s *Server) status(c echo.Context) error {
	return c.JSON(http.StatusOK, api.Status{Version: s.cfg.Version, Domain: s.cfg.Domain, GitURL: s.cfg.GitURL, Instance: s.cfg.Instance})
}

func jsonDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}
