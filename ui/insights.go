package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
)

// DefaultInsightsPeriod is the period of the figures when ?since is absent.
const DefaultInsightsPeriod = "30d"

// teamInsights answers the delivery figures over every app the caller may
// see, and per app.
func (s *Server) teamInsights(c echo.Context) error {
	return s.insightsOf(c, "")
}

// appInsights answers the delivery figures of one app.
func (s *Server) appInsights(c echo.Context) error {
	return s.insightsOf(c, c.Param("app"))
}

func (s *Server) insightsOf(c echo.Context, app string) error {
	period, err := insightsPeriod(c.QueryParam("since"))
	if err != nil {
		return err
	}
	rep, err := s.cfg.Engine.Insights(c.Request().Context(), app, period)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// insightsPeriod reads ?since (7d, 30d, 90d, 36h); "" is 30 days.
func insightsPeriod(since string) (time.Duration, error) {
	if since == "" {
		since = DefaultInsightsPeriod
	}
	p, err := insights.ParseDuration(since)
	if err != nil {
		return 0, engine.FieldError("since", "since: %s", err.Error())
	}
	return p, nil
}
