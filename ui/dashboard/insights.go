package dashboard

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine/insights"
)

// insightsSpans are the periods the insights page offers.
var insightsSpans = []metricSpan{{"7d", 7 * insights.Day}, {"30d", 30 * insights.Day}, {"90d", 90 * insights.Day}}

// insightsData is the insights page's Data.
type insightsData struct {
	Span  string
	Spans []string
	// App is the app shown alone, "" for the team.
	App     string
	Apps    []string
	Figures []figureCard
	Charts  []chart
	PerApp  []appFigures
}

// figureCard is one of the four figures with its band and trend.
type figureCard struct {
	Name, Value, Detail, Band, BandClass, Trend string
}

// appFigures is one row of the per-app table.
type appFigures struct {
	App     string
	Summary insights.Summary
	Bands   [4]string
}

// insightsPage shows the delivery figures of the team (every app the user
// may see) or, with ?app=, of one app, over ?since= (30d unless 7d or 90d).
func (d *Dashboard) insightsPage(c echo.Context, v *view) error {
	span := insightsSpans[1]
	for _, s := range insightsSpans {
		if s.name == c.QueryParam("since") {
			span = s
		}
	}
	app := cutText(100, c.QueryParam("app"))
	rep, err := d.cfg.Engine.Insights(c.Request().Context(), app, span.d)
	if err != nil {
		return err
	}
	data := insightsData{Span: span.name, App: app, Apps: rep.Apps}
	for _, s := range insightsSpans {
		data.Spans = append(data.Spans, s.name)
	}
	data.Figures = figureCards(rep.Team)
	data.Charts = insightsCharts(rep.Team)
	if app == "" {
		for _, a := range rep.PerApp {
			f := a.Report.Current
			data.PerApp = append(data.PerApp, appFigures{App: a.App, Summary: insights.Summarize(f),
				Bands: [4]string{f.Frequency.Band, f.LeadTime.Band, f.Failure.Band, f.Recovery.Band}})
		}
	}
	v.Title, v.Section, v.Data = "Insights", "insights", data
	return d.render(c, http.StatusOK, "insights", v)
}

// figureCards writes the four figures of rep for people.
func figureCards(rep insights.Report) []figureCard {
	f, t := rep.Current, rep.Trend
	s := insights.Summarize(f)
	return []figureCard{
		card("Deployment frequency", s.Frequency, frequencyDetail(f.Frequency), f.Frequency.Band, t.Frequency),
		card("Lead time for changes", s.LeadTime, leadDetail(f.LeadTime), f.LeadTime.Band, t.LeadTime),
		card("Change failure rate", s.ChangeFailure, failureDetail(f.Failure), f.Failure.Band, t.ChangeFailure),
		card("Time to restore", s.Recovery, recoveryDetail(f.Recovery), f.Recovery.Band, t.Recovery),
	}
}

func card(name, value, detail, band, trend string) figureCard {
	return figureCard{Name: name, Value: value, Detail: detail, Band: band, BandClass: bandClass(band), Trend: trendText(trend)}
}

// bandClass is the status colour of a band.
func bandClass(band string) string {
	switch band {
	case insights.BandElite, insights.BandHigh:
		return "s-ok"
	case insights.BandMedium:
		return "s-pending"
	case insights.BandLow:
		return "s-bad"
	}
	return "s-none"
}

func trendText(t string) string {
	switch t {
	case insights.TrendBetter:
		return "better than the previous period"
	case insights.TrendWorse:
		return "worse than the previous period"
	case insights.TrendSame:
		return "as in the previous period"
	}
	return "no comparison with the previous period"
}

func frequencyDetail(f insights.Frequency) string {
	return fmt.Sprintf("%d deploys (%d pushes, %d config changes, %d rollbacks); %.1f deploy days a week",
		f.Deploys, f.Pushes, f.Config, f.Rollbacks, f.DeployDaysPerWeek)
}

func leadDetail(l insights.LeadTime) string {
	if l.Commits == 0 {
		return "no commit reached production"
	}
	s := fmt.Sprintf("p90 %s over %d commits; by author date: median %s",
		insights.FormatDuration(l.P90.Duration()), l.Commits, insights.FormatDuration(l.AuthorMedian.Duration()))
	if l.Skewed > 0 {
		s += fmt.Sprintf("; %d dated after their release (clock skew) counted as 0", l.Skewed)
	}
	return s
}

func failureDetail(c insights.ChangeFailure) string {
	if c.Changes == 0 {
		return "no changes"
	}
	return fmt.Sprintf("%d of %d changes: %d before going live, %d after", c.Failed, c.Changes, c.BeforeLive, c.AfterLive)
}

func recoveryDetail(r insights.Recovery) string {
	if r.Failures == 0 {
		return "no failure after going live"
	}
	s := fmt.Sprintf("%d failures, %d recovered", r.Failures, r.Recovered)
	if r.Recovered > 0 {
		s += ", p90 " + insights.FormatDuration(r.P90.Duration())
	}
	if r.Open > 0 {
		s += fmt.Sprintf(", %d not yet", r.Open)
	}
	return s
}
