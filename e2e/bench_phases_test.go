package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// pushPhase is one stretch of a push, from the line that ends the phase
// before it to the first line that starts with one of ends (after "remote:
// "). The phases follow each other; a phase whose end line is missing
// takes no time and the next one starts where it would have.
type pushPhase struct {
	name string
	ends []string
}

// pushPhases are the phases of a buildpacks push, in order, as the push's
// output shows them.
var pushPhases = []pushPhase{
	{"receive", []string{"-----> Building "}},
	{"prepare + detect", []string{"-----> Detected "}},
	{"restore", []string{"---> "}}, // the first buildpack's own header
	{"build", []string{"-----> Built in "}},
	{"export", []string{"-----> Exported "}},
	{"image to start", []string{"-----> Starting "}},
	{"container start", []string{"-----> Waiting for "}},
	{"health", []string{"-----> Released "}},
	{"drain + return", nil}, // to the end of the push
}

// phaseTimes splits a push's time into pushPhases by when their end lines
// arrived.
func phaseTimes(lines []pushLine, total time.Duration) []time.Duration {
	out := make([]time.Duration, len(pushPhases))
	prev, i := time.Duration(0), 0
	for k, ph := range pushPhases {
		end, found := total, ph.ends == nil
		for j := i; j < len(lines) && !found; j++ {
			text := strings.TrimSpace(strings.TrimPrefix(lines[j].text, "remote:"))
			for _, e := range ph.ends {
				if strings.HasPrefix(text, e) {
					end, i, found = lines[j].at, j+1, true
					break
				}
			}
		}
		if !found {
			end = prev
		}
		out[k], prev = end-prev, end
	}
	return out
}

// phaseMedians is the median of each phase over runs.
func phaseMedians(runs [][]time.Duration) []time.Duration {
	out := make([]time.Duration, len(pushPhases))
	for k := range pushPhases {
		var ds []time.Duration
		for _, r := range runs {
			ds = append(ds, r[k])
		}
		if len(ds) > 0 {
			out[k] = median(ds)
		}
	}
	return out
}

// phaseHeader is the head of the phase table.
func phaseHeader() string {
	var b strings.Builder
	b.WriteString("| sample |")
	for _, ph := range pushPhases {
		b.WriteString(" " + ph.name + " |")
	}
	b.WriteString(" total |\n|---|")
	for range pushPhases {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	return b.String()
}

// phaseRow is one row of the phase table: each phase's median in seconds.
func phaseRow(name string, meds []time.Duration, total time.Duration) string {
	var b strings.Builder
	b.WriteString("| " + name + " |")
	for _, d := range meds {
		fmt.Fprintf(&b, " %.2f |", d.Seconds())
	}
	fmt.Fprintf(&b, " %.2f |\n", total.Seconds())
	return b.String()
}

// TestPhaseTimes: a push's lines split into the bench's phases, missing ones taking no time.
func TestPhaseTimes(t *testing.T) {
	t.Parallel()
	lines := []pushLine{
		{1 * time.Second, "remote: -----> Building app v2 from commit abc"},
		{2 * time.Second, "remote: -----> Detected quayside/go 0.1.0"},
		{4 * time.Second, "remote: ---> Go (go1.19.8, offline)"},
		{5 * time.Second, "remote: -----> Built in 1.0 s"},
		{7 * time.Second, "remote: -----> Exported the image: 1 layer added"},
		{8 * time.Second, "remote: -----> Starting v2: web.1"},
		{9 * time.Second, "remote: -----> Waiting for x to answer GET /"},
		{10 * time.Second, "remote: -----> Released v2: http://x"},
	}
	got := phaseTimes(lines, 12*time.Second)
	want := []time.Duration{1, 1, 2, 1, 2, 1, 1, 1, 2}
	for k := range want {
		if got[k] != want[k]*time.Second {
			t.Fatalf("phase %s: got %v, want %v (all %v)", pushPhases[k].name, got[k], want[k]*time.Second, got)
		}
	}
	// A failed or odd push without the later lines: the missing phases take no time.
	got = phaseTimes(lines[:2], 3*time.Second)
	if got[0] != time.Second || got[1] != time.Second || got[2] != 0 || got[len(got)-1] != time.Second {
		t.Fatalf("short push: %v", got)
	}
}
