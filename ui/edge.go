package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/ui/api"
)

// Basic auth password limits.
const (
	minBasicAuthPassword = 8
	maxBasicAuthPassword = 256
)

func (s *Server) changeEdge(c echo.Context) error {
	var in api.EdgeChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	app, err := s.cfg.Engine.SetEdge(c.Request().Context(), c.Param("app"), engine.EdgeChange{
		HTTPSRedirect: in.HTTPSRedirect, HSTS: in.HSTS, Maintenance: in.Maintenance, MaintenancePage: in.MaintenancePage,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.appJSON(app))
}

func (s *Server) setBasicAuth(c echo.Context) error {
	var in api.BasicAuth
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := engine.ValidateBasicAuthUser(in.User); err != nil {
		return err
	}
	if n := len(in.Password); n < minBasicAuthPassword || n > maxBasicAuthPassword {
		return engine.FieldError("password", "the password must have %d to %d characters", minBasicAuthPassword, maxBasicAuthPassword)
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return err
	}
	app, err := s.cfg.Engine.SetBasicAuth(c.Request().Context(), c.Param("app"), in.User, hash)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.appJSON(app))
}

func (s *Server) removeBasicAuth(c echo.Context) error {
	app, err := s.cfg.Engine.SetBasicAuth(c.Request().Context(), c.Param("app"), "", "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.appJSON(app))
}

func edgeJSON(e engine.Edge) api.Edge {
	return api.Edge{
		HTTPSRedirect: e.HTTPSRedirect, HSTS: e.HSTS, BasicAuthUser: e.BasicAuthUser,
		Maintenance: e.Maintenance, CustomMaintenancePage: e.MaintenancePage != "",
	}
}
