package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// maxMetricsSpan is the longest history kept.
const maxMetricsSpan = 7 * 24 * time.Hour

// appMetrics answers an app's history over ?span (default 1h, at most
// 7 days): 10-second points up to an hour, 5-minute points beyond.
func (s *Server) appMetrics(c echo.Context) error {
	app := c.Param("app")
	if _, err := s.cfg.Engine.FindApp(c.Request().Context(), app); err != nil {
		return err
	}
	span := time.Hour
	if v := c.QueryParam("span"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxMetricsSpan {
			return engine.FieldError("span", "span must be a duration from 1m to 168h, such as 1h or 24h")
		}
		span = d
	}
	out := api.Metrics{App: app, Span: span.String(), Points: []api.MetricPoint{}}
	if s.cfg.Series != nil {
		for _, p := range s.cfg.Series.AppSeries(app, span) {
			out.Points = append(out.Points, api.MetricPoint{Time: p.Time, Requests: p.Requests, Errors: p.Errors,
				LatencyP50: p.LatencyP50, LatencyP95: p.LatencyP95, CPUPercent: p.CPUPercent, MemoryBytes: p.MemoryBytes})
		}
	}
	return c.JSON(http.StatusOK, out)
}
