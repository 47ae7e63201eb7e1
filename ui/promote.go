package ui

import (
	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// promote releases the image of the current release of the body's From
// into the app of the path, streaming the deploy like a rollback.
func (s *Server) promote(c echo.Context) error {
	var in api.Promote
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.From == "" {
		return engine.FieldError("from", "name the app to promote from, such as {\"from\": \"staging\"}")
	}
	return s.streamRelease(c, func(out *streamWriter) (*engine.Release, error) {
		return s.cfg.Engine.Promote(c.Request().Context(), engine.PromoteRequest{
			Source: in.From, Target: c.Param("app"), Author: actor(c), Output: out,
		})
	})
}
