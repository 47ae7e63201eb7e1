package dashboard

import (
	"math"
	"strings"
	"time"

	"github.com/quayside/quayside/ui/metrics"
)

// maxBands bounds the hover strips of a chart, so that a page of charts
// stays small whatever the span.
const maxBands = 40

// xOf is where t falls on a chart from from to to.
func xOf(t, from, to time.Time) float64 {
	return chartW * t.Sub(from).Seconds() / to.Sub(from).Seconds()
}

// yOf is where v falls on a chart from 0 to top.
func yOf(v, top float64) float64 {
	return chartBottom - (chartBottom-chartTop)*v/top
}

// hoverBands splits the drawn points of a chart's lines (alike in number
// and times) into at most maxBands strips, each titled with the time and
// the values of its last point.
func hoverBands(def chartDef, lines [][]xy, from, to time.Time) []hoverBand {
	if len(lines) == 0 || len(lines[0]) == 0 || !to.After(from) {
		return nil
	}
	n := len(lines[0])
	bands := min(n, maxBands)
	out := make([]hoverBand, 0, bands)
	left := 0.0
	for b := range bands {
		last := (b+1)*n/bands - 1
		right := chartW
		if b < bands-1 {
			right = int(math.Round(xOf(lines[0][last].t, from, to)))
		}
		x := math.Max(0, left)
		if float64(right) <= x {
			continue
		}
		out = append(out, hoverBand{X: x, W: float64(right) - x, Y: chartTop, H: chartBottom - chartTop,
			Title: bandTitle(def, lines, last)})
		left = float64(right)
	}
	return out
}

// bandTitle says the time and values of the i-th drawn point.
func bandTitle(def chartDef, lines [][]xy, i int) string {
	parts := make([]string, 0, len(lines))
	for j, l := range lines {
		parts = append(parts, def.lines[j].name+" "+def.format(l[i].v))
	}
	return chartStamp(lines[0][i].t) + ": " + strings.Join(parts, ", ")
}

// placePeak puts the line's peak (its highest point as collected) on the
// chart, with its time; an all-zero line has none to show.
func placePeak(l *chartLine, s chartSpec, pts []metrics.Point, from, to time.Time, top float64, format func(float64) string) {
	best := -1
	for i, p := range pts {
		if best < 0 || s.value(p) > s.value(pts[best]) {
			best = i
		}
	}
	if best < 0 || s.value(pts[best]) <= 0 || !to.After(from) {
		return
	}
	p := pts[best]
	l.HasPeak = true
	l.PeakX, l.PeakY = math.Max(0, xOf(p.Time, from, to)), yOf(s.value(p), top)
	l.PeakTitle = "Peak " + s.name + ": " + format(s.value(p)) + " at " + chartStamp(p.Time)
}

// pointNote says what each collected point is, from their spacing: the
// peak of a chart is the highest such average.
func pointNote(pts []metrics.Point) string {
	if len(pts) < 2 {
		return ""
	}
	step := pts[len(pts)-1].Time.Sub(pts[0].Time) / time.Duration(len(pts)-1)
	return "Each figure is an average over " + roundStep(step) + "; the peak is the highest of them. Times are UTC."
}

// roundStep names a sampling interval for people: "10 seconds", "5 minutes".
func roundStep(d time.Duration) string {
	switch {
	case d < 90*time.Second:
		return plural(max(1, int(math.Round(d.Seconds()))), "second")
	case d < 90*time.Minute:
		return plural(int(math.Round(d.Minutes())), "minute")
	}
	return plural(int(math.Round(d.Hours())), "hour")
}

// chartStamp is t in UTC, short, for the titles of a chart's points and
// markers ("Dec 5 14:05 UTC").
func chartStamp(t time.Time) string {
	return t.UTC().Format("Jan 2 15:04 UTC")
}
