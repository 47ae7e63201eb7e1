package dashboard

import (
	"slices"
	"strconv"
	"time"

	"github.com/quayside/quayside/engine"
)

// chartEvent is something that happened to an app that its charts mark:
// a deploy, a rollback or a crash.
type chartEvent struct {
	Time    time.Time
	Kind    string // "deploy", "rollback" or "crash"
	Release int
	Text    string
}

// marker is a chart event drawn as a vertical rule across the chart, with
// its release number above it and what happened in its <title>.
type marker struct {
	X                 float64
	Class, Label      string
	Title             string
	ShowLabel         bool
	TopY, BottomY, LY float64
	// RX is where the rule (a thin rect, so that its title shows on
	// hover) starts; RW and RH are its width and height.
	RX, RW, RH float64
}

// Marker bounds: how many a chart draws, how close crashes merge, how far
// apart labels stand, and the room the value labels take at the left.
const (
	maxMarkers      = 100
	crashMergeUnits = 6
	markerLabelGap  = 40
	markerLeftRoom  = 70
	markerWidth     = 2
)

// markerKinds maps the engine's event kinds to a marker's kind.
var markerKinds = map[string]string{
	engine.EventDeploySucceeded: "deploy",
	engine.EventConfigChanged:   "deploy",
	engine.EventRollback:        "rollback",
	engine.EventCrashed:         "crash",
	engine.EventCrashLooping:    "crash",
	engine.EventOutOfMemory:     "crash",
}

// chartEvents picks, from an app's events, those its charts mark.
func chartEvents(evs []*engine.Event) []chartEvent {
	var out []chartEvent
	for _, ev := range evs {
		if kind, ok := markerKinds[ev.Kind]; ok {
			out = append(out, chartEvent{Time: ev.Time, Kind: kind, Release: ev.Release, Text: ev.Message})
		}
	}
	return out
}

// buildMarkers places the events between from and to on a chart of width
// units: oldest first; crashes close together merge into one ("3
// crashes"); a label shows only where it has room, the rest say what they
// are in their <title>.
func buildMarkers(evs []chartEvent, from, to time.Time, width float64) []marker {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b chartEvent) int { return a.Time.Compare(b.Time) })
	span := to.Sub(from).Seconds()
	var out []marker
	crashes := 0
	lastLabel := -1e9
	for _, ev := range evs {
		if ev.Time.Before(from) || ev.Time.After(to) || span <= 0 {
			continue
		}
		x := width * ev.Time.Sub(from).Seconds() / span
		title := chartStamp(ev.Time) + ": " + cutText(160, ev.Text)
		if n := len(out); n > 0 && ev.Kind == "crash" && out[n-1].Class == "m-crash" && x-out[n-1].X < crashMergeUnits {
			crashes++
			out[n-1].Title = strconv.Itoa(crashes) + " crashes, the last at " + title
			continue
		}
		if len(out) == maxMarkers {
			break
		}
		crashes = 1
		m := marker{X: x, Class: "m-" + ev.Kind, Label: releaseLabel(ev), Title: title,
			TopY: chartTop, BottomY: chartBottom, LY: chartTop - 8, RX: x - markerWidth/2, RW: markerWidth, RH: chartBottom - chartTop}
		if x >= markerLeftRoom && x <= width-markerLabelGap/2 && x-lastLabel >= markerLabelGap {
			m.ShowLabel, lastLabel = true, x
		}
		out = append(out, m)
	}
	return out
}

// releaseLabel is the short label of a marker: its release number.
func releaseLabel(ev chartEvent) string {
	if ev.Release > 0 {
		return "v" + strconv.Itoa(ev.Release)
	}
	return "?"
}
