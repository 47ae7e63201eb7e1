package dashboard

import (
	"fmt"

	"github.com/quayside/quayside/engine/insights"
	"github.com/quayside/quayside/ui/metrics"
)

// insightsChartDefs draw the four figures over time with chart.go. Each
// series point of the figures becomes one metrics.Point at the end of its
// day (or week), carrying the figure in the fields the definitions read:
// Requests the first line, LatencyP50 and LatencyP95 the others.
var insightsChartDefs = []chartDef{
	{"deploys", "Production deploys per day", func(f float64) string { return fmt.Sprintf("%.1f", f) },
		[]chartSpec{{"deploys/day", func(p metrics.Point) float64 { return p.Requests }}}},
	{"lead", "Lead time for changes (hours)", hoursLabel, []chartSpec{
		{"median", func(p metrics.Point) float64 { return p.LatencyP50 }},
		{"p90", func(p metrics.Point) float64 { return p.LatencyP95 }},
	}},
	{"failure", "Change failure rate", func(f float64) string { return fmt.Sprintf("%.0f%%", f) },
		[]chartSpec{{"failed changes", func(p metrics.Point) float64 { return p.Requests }}}},
	{"recovery", "Time to restore (hours)", hoursLabel,
		[]chartSpec{{"median", func(p metrics.Point) float64 { return p.Requests }}}},
}

func hoursLabel(f float64) string { return fmt.Sprintf("%.1f h", f) }

// insightsCharts draws the four figures of rep's series.
func insightsCharts(rep insights.Report) []chart {
	if len(rep.Series) == 0 {
		return nil
	}
	from, to := rep.Current.From, rep.Current.To
	span := to.Sub(from)
	points := [][]metrics.Point{make([]metrics.Point, 0, len(rep.Series)), nil, nil, nil}
	for _, f := range rep.Series {
		days := f.To.Sub(f.From).Hours() / 24
		points[0] = append(points[0], metrics.Point{Time: f.To, Requests: float64(f.Frequency.Deploys) / days})
		points[1] = append(points[1], metrics.Point{Time: f.To, LatencyP50: hours(f.LeadTime.Median), LatencyP95: hours(f.LeadTime.P90)})
		points[2] = append(points[2], metrics.Point{Time: f.To, Requests: f.Failure.Rate * 100})
		points[3] = append(points[3], metrics.Point{Time: f.To, Requests: hours(f.Recovery.Median)})
	}
	out := make([]chart, 0, len(insightsChartDefs))
	for i, def := range insightsChartDefs {
		c := drawChart(def, points[i], from, to, span)
		c.Summary = fmt.Sprintf("%s, per %s over the last %d days.", def.title, stepName(rep), int(span/insights.Day))
		out = append(out, c)
	}
	return out
}

func hours(s insights.Seconds) float64 { return s.Duration().Hours() }

func stepName(rep insights.Report) string {
	if len(rep.Series) > 0 && rep.Series[0].To.Sub(rep.Series[0].From) > 2*insights.Day {
		return "week"
	}
	return "day"
}
