package insights

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 30*time.Minute + 30*time.Second: "30m 30s", time.Hour: "1h",
		2*time.Hour + 10*time.Minute: "2h 10m", 5*Day + 2*time.Hour + 3*time.Minute: "5d 2h", 48 * time.Hour: "2d",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(Compute(history(), Options{Now: now, Production: notPreview}).Current)
	want := Summary{Frequency: "1.9/week", LeadTime: "50m", ChangeFailure: "37.5%", Recovery: "30m 30s"}
	if s != want {
		t.Errorf("summary = %+v, want %+v", s, want)
	}
	if e := Summarize(Figures{}); e.LeadTime != "-" || e.ChangeFailure != "-" || e.Recovery != "-" || e.Frequency != "0.0/week" {
		t.Errorf("empty summary = %+v", e)
	}
}
