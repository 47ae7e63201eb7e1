package ui

import (
	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// redeploy deploys the current release again, streaming its output as
// rollback does.
func (s *Server) redeploy(c echo.Context) error {
	return s.streamRelease(c, func(out *streamWriter) (*engine.Release, error) {
		return s.cfg.Engine.Redeploy(c.Request().Context(), engine.RedeployRequest{
			App: c.Param("app"), Author: actor(c), Output: out,
		})
	})
}

// restart replaces the containers of one process type, streaming its
// progress as scale does; without a stream, 204 once the new ones run.
func (s *Server) restart(c echo.Context) error {
	var in api.Restart
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Process == "" {
		return engine.FieldError("process", "name the process type to restart, such as web")
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		return api.StreamEvent{}, s.cfg.Engine.Restart(c.Request().Context(), engine.RestartRequest{
			App: c.Param("app"), Process: in.Process, Author: actor(c), Output: w,
		})
	})
}
