package dashboard

import (
	"math"
	"time"
)

// timeTick is one label of a chart's time axis.
type timeTick struct {
	X      float64
	Label  string
	Anchor string // SVG text-anchor
}

// tickSteps are the distances between time labels a chart may use, the
// shortest that leaves room for every label first.
var tickSteps = []time.Duration{
	5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour,
}

// Room a time label needs, in SVG units: about one character's width per
// character at the axis's font size, and no label closer than that.
const (
	charWidth = 11
	edgeRoom  = 0
)

// timeTicks labels the time axis of a chart from from to to (UTC): at
// round times (whole hours, days), never two labels alike, never two
// that overlap, each centred on its time. Spans past 24 hours show dates: midnight is labelled with
// its date ("Dec 4") and, when the labels are hours apart, the others
// with their time.
func timeTicks(from, to time.Time, width float64) []timeTick {
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	step := tickStep(span, width)
	var out []timeTick
	seen := map[string]bool{}
	lastEnd := math.Inf(-1)
	for t := firstTick(from, step); !t.After(to); t = t.Add(step) {
		label := tickLabel(t, span)
		x := width * t.Sub(from).Seconds() / span.Seconds()
		tick, fits := placeTick(x, label, width)
		start, end := tickExtent(tick)
		if !fits || seen[label] || start < lastEnd+charWidth {
			continue
		}
		seen[label], lastEnd = true, end
		out = append(out, tick)
	}
	return out
}

// tickStep is the shortest step whose labels fit side by side; spans
// past 24 hours are labelled at least 6 hours apart.
func tickStep(span time.Duration, width float64) time.Duration {
	for _, s := range tickSteps {
		sample := time.Date(2000, 12, 30, 23, 59, 0, 0, time.UTC)
		if s >= 24*time.Hour {
			sample = time.Date(2000, 12, 30, 0, 0, 0, 0, time.UTC)
		}
		fit := math.Floor(width / (float64(len(tickLabel(sample, span))+1) * charWidth))
		if float64(span/s) <= fit && (span <= 24*time.Hour || s >= 6*time.Hour) {
			return s
		}
	}
	return tickSteps[len(tickSteps)-1]
}

// firstTick is the first multiple of step (from midnight UTC) after from.
func firstTick(from time.Time, step time.Duration) time.Time {
	from = from.UTC()
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	t := day
	for !t.After(from) {
		t = t.Add(step)
	}
	return t
}

// tickLabel is the label of a tick at t on an axis spanning span.
func tickLabel(t time.Time, span time.Duration) string {
	t = t.UTC()
	midnight := t.Hour() == 0 && t.Minute() == 0
	switch {
	case span >= 24*time.Hour && midnight:
		return t.Format("Jan 2")
	case span > 24*time.Hour:
		return t.Format("Jan 2 15:04")
	}
	return t.Format("15:04")
}

// placeTick centres a label on its time; ok is false when it would not
// fit inside the chart there (it is then left out, not moved, so that
// every label stands under its time).
func placeTick(x float64, label string, width float64) (timeTick, bool) {
	half := float64(len(label)) * charWidth / 2
	return timeTick{X: x, Label: label, Anchor: "middle"}, x-half >= edgeRoom && x+half <= width-edgeRoom
}

// tickExtent is where a placed label starts and ends.
func tickExtent(t timeTick) (float64, float64) {
	w := float64(len(t.Label)) * charWidth
	return t.X - w/2, t.X + w/2
}
