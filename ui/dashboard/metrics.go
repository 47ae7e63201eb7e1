package dashboard

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// metricSpan is a span the metrics page offers.
type metricSpan struct {
	name string
	d    time.Duration
}

var metricSpans = []metricSpan{{"1h", time.Hour}, {"6h", 6 * time.Hour}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}}

// maxChartEvents is how many of an app's latest events the charts read
// for their markers.
const maxChartEvents = 500

// metricsData is the metrics page's Data.
type metricsData struct {
	Span   string
	Spans  []string
	Charts []chart
}

// metricsPage draws the app's charts over the chosen span (1h unless
// ?span= names another): requests, latency, errors, CPU and memory.
func (d *Dashboard) metricsPage(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "metrics")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActReadLogs); err != nil {
		return err
	}
	span := metricSpans[0]
	for _, s := range metricSpans {
		if s.name == c.QueryParam("span") {
			span = s
		}
	}
	data := metricsData{Span: span.name}
	for _, s := range metricSpans {
		data.Spans = append(data.Spans, s.name)
	}
	if d.cfg.Series != nil {
		evs, err := d.cfg.Engine.Events(c.Request().Context(), app.Name, 0, maxChartEvents)
		if err != nil {
			return err
		}
		data.Charts = buildCharts(d.cfg.Series.AppSeries(app.Name, span.d), span.d, chartEvents(evs)...)
	}
	v.Title, v.Data = app.Name+" metrics", data
	return d.render(c, http.StatusOK, "metrics", v)
}
