package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// collectGarbage runs a garbage collection now and answers its report.
func (s *Server) collectGarbage(c echo.Context) error {
	if s.cfg.GC == nil {
		return engine.Errorf(engine.ENOTIMPLEMENTED, "this server does not collect garbage")
	}
	rep, err := s.cfg.GC(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
