package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/metrics"
)

func TestChartEventsKeepDeploysRollbacksAndCrashes(t *testing.T) {
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	evs := chartEvents([]*engine.Event{
		{Kind: engine.EventDeployStarted, Release: 3, Time: at},
		{Kind: engine.EventDeploySucceeded, Release: 3, Time: at, Message: "v3 is live"},
		{Kind: engine.EventConfigChanged, Release: 4, Time: at},
		{Kind: engine.EventRollback, Release: 5, Time: at},
		{Kind: engine.EventCrashed, Release: 5, Time: at},
		{Kind: engine.EventOutOfMemory, Release: 5, Time: at},
		{Kind: engine.EventScaled, Release: 5, Time: at},
	})
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []string{"deploy", "deploy", "rollback", "crash", "crash"}, kinds)
}

func TestMarkers(t *testing.T) {
	to := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	from := to.Add(-time.Hour)
	evs := []chartEvent{
		{Time: from.Add(30 * time.Minute), Kind: "deploy", Release: 7, Text: "v7 is live"},
		{Time: from.Add(-time.Minute), Kind: "deploy", Release: 6, Text: "before the span"},
		{Time: from.Add(45 * time.Minute), Kind: "crash", Release: 7, Text: "web.1 crashed"},
		{Time: from.Add(45*time.Minute + 5*time.Second), Kind: "crash", Release: 7, Text: "web.1 crashed"},
		{Time: from.Add(45*time.Minute + 10*time.Second), Kind: "crash", Release: 7, Text: "web.1 crashed"},
		{Time: from.Add(46 * time.Minute), Kind: "rollback", Release: 8, Text: "rolled back to v6 as v8"},
		{Time: from.Add(time.Minute), Kind: "deploy", Release: 5, Text: "near the value labels"},
	}
	ms := buildMarkers(evs, from, to, chartW)
	require.Len(t, ms, 4, "the one before the span is left out; three crashes in a row are one marker")
	assert.Equal(t, "v5", ms[0].Label)
	assert.False(t, ms[0].ShowLabel, "no label over the value labels at the left")
	assert.Equal(t, "v7", ms[1].Label)
	assert.True(t, ms[1].ShowLabel)
	assert.InDelta(t, 300, ms[1].X, 0.01, "half-way along")
	assert.Contains(t, ms[1].Title, "Dec 5 11:30 UTC: v7 is live")
	assert.Equal(t, "m-crash", ms[2].Class)
	assert.Contains(t, ms[2].Title, "3 crashes, the last at Dec 5 11:45 UTC")
	assert.Equal(t, "m-rollback", ms[3].Class)
	assert.Equal(t, "v8", ms[3].Label)
	assert.False(t, ms[3].ShowLabel, "too close to the crash's label to have its own")
	assert.Contains(t, ms[3].Title, "rolled back to v6 as v8", "its title still says")

	many := make([]chartEvent, 0, 500)
	for i := range 500 {
		many = append(many, chartEvent{Time: from.Add(time.Duration(i) * 7 * time.Second), Kind: "deploy", Release: i + 1})
	}
	assert.LessOrEqual(t, len(buildMarkers(many, from, to, chartW)), maxMarkers, "bounded")
}

func TestPeakIsTheRealPeakAndPointsShowTheirValues(t *testing.T) {
	to := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var pts []metrics.Point
	for i := range 2016 { // a week of 5-minute points
		p := metrics.Point{Time: to.Add(time.Duration(i-2015) * 5 * time.Minute), Requests: 1}
		if i == 1000 {
			p.Requests = 50 // one busy 5 minutes, averaged away in the drawn line
		}
		pts = append(pts, p)
	}
	c := buildCharts(pts, 7*24*time.Hour)[0]
	l := c.Lines[0]
	assert.Equal(t, "50.00", l.Peak)
	require.True(t, l.HasPeak)
	assert.Equal(t, "Peak requests/s: 50.00 at Dec 1 23:25 UTC", l.PeakTitle)
	assert.InDelta(t, yOf(50, 50), l.PeakY, 0.01, "the peak dot sits at the peak")
	assert.Contains(t, c.Note, "an average over 5 minutes; the peak is the highest of them")

	require.NotEmpty(t, c.Bands)
	assert.LessOrEqual(t, len(c.Bands), maxBands)
	end := 0.0
	for _, b := range c.Bands {
		assert.InDelta(t, end, b.X, 0.01, "bands tile the chart")
		end = b.X + b.W
		assert.Regexp(t, `^(Nov|Dec) \d\d? \d\d:\d\d UTC: requests/s \d+\.\d\d$`, b.Title)
	}
	assert.InDelta(t, float64(chartW), end, 0.01)
	assert.Equal(t, chartStamp(to)+": requests/s 1.00", c.Bands[len(c.Bands)-1].Title, "the last band is the latest point")

	lat := buildCharts([]metrics.Point{{Time: to, LatencyP50: 0.01, LatencyP95: 0.2}}, time.Hour)[1]
	assert.True(t, strings.HasSuffix(lat.Bands[0].Title, ": p50 10 ms, p95 200 ms"), lat.Bands[0].Title)
	idle := buildCharts([]metrics.Point{{Time: to}, {Time: to.Add(time.Second)}}, time.Hour)[0]
	assert.False(t, idle.Lines[0].HasPeak, "nothing to point at")
}

func TestAChartReachesAnEventNotYetSampled(t *testing.T) {
	last := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	pts := []metrics.Point{{Time: last.Add(-time.Minute), Requests: 1}, {Time: last, Requests: 2}}
	evs := []chartEvent{
		{Time: last.Add(20 * time.Second), Kind: "deploy", Release: 3},
		{Time: last.Add(time.Hour), Kind: "deploy", Release: 4},
	}
	c := buildCharts(pts, time.Hour, evs...)[0]
	require.Len(t, c.Markers, 1, "the deploy just made shows; one far later does not stretch the chart")
	assert.Equal(t, "v3", c.Markers[0].Label)
	assert.InDelta(t, float64(chartW), c.Markers[0].X, 0.01)
}

func TestSmallFiguresKeepTheirDigits(t *testing.T) {
	for in, want := range map[float64]string{0: "0.0%", 0.02: "0.02%", 0.5: "0.5%", 12.34: "12.3%"} {
		assert.Equal(t, want, percent(in))
	}
	assert.Equal(t, "0.004", perSecond(0.004))
	assert.Equal(t, "0.40 ms", millis(0.0004))
	g := grid(0.05, percent)
	assert.Equal(t, []string{"0.0%", "0.03%", "0.05%"}, []string{g[0].Label, g[1].Label, g[2].Label})
	g = grid(1, func(float64) string { return "same" })
	assert.Empty(t, g[1].Label, "no label said twice")
}
