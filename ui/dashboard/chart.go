package dashboard

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/quayside/quayside/ui/metrics"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH = 600, 220
	chartTop       = 26
	chartBottom    = chartH - 30
	// maxChartPoints bounds the points drawn per line: about one per two
	// units of width, whatever the span.
	maxChartPoints = 300
)

// chart is one server-drawn SVG chart with the figures it shows.
type chart struct {
	ID, Title, Summary string
	W, H               int
	Grid               []gridLine
	Lines              []chartLine
	// Ticks label the time axis; Bands show each point's time and values
	// on hover; Markers mark deploys, rollbacks and crashes.
	Ticks   []timeTick
	Bands   []hoverBand
	Markers []marker
	// Note says what a point of the chart is (an average over how long)
	// and so what its peak is.
	Note   string
	LabelY int
}

// hoverBand is a vertical strip of a chart whose <title> gives the time
// and values of the point in it.
type hoverBand struct {
	X, W, Y, H float64
	Title      string
}

// gridLine is a horizontal rule with its value.
type gridLine struct {
	X1, X2   int
	Y, TextY float64
	Label    string
}

// chartLine is one series of a chart. The peak is the highest point of
// the series as collected (not of the line drawn, which may average
// several points): PeakX and PeakY place it, PeakTitle says when.
type chartLine struct {
	Name, Class, Points   string
	Latest, Average, Peak string
	PeakX, PeakY          float64
	PeakTitle             string
	HasPeak               bool
}

// chartSpec says which figure of a point a chart line draws.
type chartSpec struct {
	name  string
	value func(metrics.Point) float64
}

// chartDef is one chart of the metrics page.
type chartDef struct {
	id, title string
	format    func(float64) string
	lines     []chartSpec
}

var chartDefs = []chartDef{
	{"requests", "Requests per second", perSecond, []chartSpec{{"requests/s", func(p metrics.Point) float64 { return p.Requests }}}},
	{"latency", "Latency", millis, []chartSpec{
		{"p50", func(p metrics.Point) float64 { return p.LatencyP50 }},
		{"p95", func(p metrics.Point) float64 { return p.LatencyP95 }},
	}},
	{"errors", "Errors (5xx) per second", perSecond, []chartSpec{{"errors/s", func(p metrics.Point) float64 { return p.Errors }}}},
	{"cpu", "CPU", percent, []chartSpec{{"CPU", func(p metrics.Point) float64 { return p.CPUPercent }}}},
	{"memory", "Memory", byteSize, []chartSpec{{"memory", func(p metrics.Point) float64 { return p.MemoryBytes }}}},
}

// The charts' formats show small figures with more digits, so that a
// scale of small values does not read 0, 0, 0.
func perSecond(f float64) string {
	if f > 0 && f < 0.01 {
		return fmt.Sprintf("%.3f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

func millis(f float64) string {
	if f > 0 && f < 0.001 {
		return fmt.Sprintf("%.2f ms", f*1000)
	}
	return fmt.Sprintf("%.0f ms", f*1000)
}

func percent(f float64) string {
	if f > 0 && f < 0.1 {
		return fmt.Sprintf("%.2f%%", f)
	}
	return fmt.Sprintf("%.1f%%", f)
}

// buildCharts draws every chart of pts (oldest first) over span, with
// evs marked on each.
func buildCharts(pts []metrics.Point, span time.Duration, evs ...chartEvent) []chart {
	if len(pts) == 0 {
		return nil
	}
	to := chartEnd(pts[len(pts)-1].Time, span, evs)
	from := to.Add(-span)
	pts = slices.DeleteFunc(slices.Clone(pts), func(p metrics.Point) bool { return p.Time.Before(from) })
	ticks := timeTicks(from, to, chartW)
	marks := buildMarkers(evs, from, to, chartW)
	note := pointNote(pts)
	out := make([]chart, 0, len(chartDefs))
	for _, def := range chartDefs {
		c := drawChart(def, pts, from, to, span)
		c.Ticks, c.Markers, c.Note = ticks, marks, note
		out = append(out, c)
	}
	return out
}

// chartEnd is where a chart's time axis ends: at the last point, or at
// a later event (a deploy just made, not yet sampled) when it is at most
// a tenth of the span later.
func chartEnd(last time.Time, span time.Duration, evs []chartEvent) time.Time {
	end := last
	for _, ev := range evs {
		if ev.Time.After(end) && ev.Time.Sub(last) <= span/10 {
			end = ev.Time
		}
	}
	return end
}

func drawChart(def chartDef, pts []metrics.Point, from, to time.Time, span time.Duration) chart {
	c := chart{ID: "chart-" + def.id, Title: def.title, W: chartW, H: chartH, LabelY: chartH - 6}
	top := 0.0
	for _, s := range def.lines {
		for _, p := range pts {
			top = math.Max(top, s.value(p))
		}
	}
	top = niceCeil(top)
	c.Grid = grid(top, def.format)
	var parts []string
	var drawn [][]xy
	for i, s := range def.lines {
		l := summarize(s, pts, def.format)
		l.Class = fmt.Sprintf("l%d", i)
		xs := downsample(pts, s.value)
		drawn = append(drawn, xs)
		l.Points = polyline(xs, from, to, top)
		placePeak(&l, s, pts, from, to, top, def.format)
		c.Lines = append(c.Lines, l)
		parts = append(parts, fmt.Sprintf("%s latest %s, average %s, peak %s", l.Name, l.Latest, l.Average, l.Peak))
	}
	c.Bands = hoverBands(def, drawn, from, to)
	c.Summary = fmt.Sprintf("%s over the last %s: %s.", def.title, spanName(span), strings.Join(parts, "; "))
	return c
}

// summarize gives a line's latest, average and peak values.
func summarize(s chartSpec, pts []metrics.Point, format func(float64) string) chartLine {
	sum, peak := 0.0, 0.0
	for _, p := range pts {
		v := s.value(p)
		sum += v
		peak = math.Max(peak, v)
	}
	return chartLine{Name: s.name, Latest: format(s.value(pts[len(pts)-1])), Average: format(sum / float64(len(pts))), Peak: format(peak)}
}

// xy is one point of a line.
type xy struct {
	t time.Time
	v float64
}

// downsample averages pts into at most maxChartPoints buckets.
func downsample(pts []metrics.Point, value func(metrics.Point) float64) []xy {
	size := (len(pts) + maxChartPoints - 1) / maxChartPoints
	out := make([]xy, 0, len(pts)/size+1)
	for i := 0; i < len(pts); i += size {
		end := min(i+size, len(pts))
		sum := 0.0
		for _, p := range pts[i:end] {
			sum += value(p)
		}
		out = append(out, xy{t: pts[end-1].Time, v: sum / float64(end-i)})
	}
	return out
}

// polyline is the SVG points of xs between from and to, 0 to top.
func polyline(xs []xy, from, to time.Time, top float64) string {
	var b strings.Builder
	width := to.Sub(from).Seconds()
	if len(xs) == 1 { // one point: a short dash, so that it shows
		xs = []xy{{t: xs[0].t.Add(-time.Duration(width/100) * time.Second), v: xs[0].v}, xs[0]}
	}
	for _, p := range xs {
		x := chartW * p.t.Sub(from).Seconds() / width
		y := chartBottom - (chartBottom-chartTop)*p.v/top
		fmt.Fprintf(&b, "%.1f,%.1f ", math.Max(0, x), y)
	}
	return strings.TrimSpace(b.String())
}

// grid is the rules at 0, half and the top of the scale.
func grid(top float64, format func(float64) string) []gridLine {
	var out []gridLine
	for _, f := range []float64{0, 0.5, 1} {
		y := chartBottom - (chartBottom-chartTop)*f
		out = append(out, gridLine{X1: 0, X2: chartW, Y: y, TextY: y - 4, Label: format(top * f)})
	}
	if out[1].Label == out[0].Label || out[1].Label == out[2].Label {
		out[1].Label = "" // a label said twice says nothing
	}
	return out
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten; 1 for nothing.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*exp {
			return m * exp
		}
	}
	return 10 * exp
}

func spanName(span time.Duration) string {
	for _, s := range metricSpans {
		if s.d == span {
			return s.name
		}
	}
	return span.String()
}
