package insights

import (
	"fmt"
	"time"
)

// FormatDuration writes d for people, in its two largest units: "45s",
// "30m 30s", "2h 10m", "5d 2h".
func FormatDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return twoUnits(int(d/time.Minute), "m", int(d%time.Minute/time.Second), "s")
	case d < Day:
		return twoUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	return twoUnits(int(d/Day), "d", int(d%Day/time.Hour), "h")
}

func twoUnits(a int, ua string, b int, ub string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, ua)
	}
	return fmt.Sprintf("%d%s %d%s", a, ua, b, ub)
}

// Summary is each figure in a few words, for listings.
type Summary struct {
	Frequency     string `json:"deployment_frequency"`
	LeadTime      string `json:"lead_time"`
	ChangeFailure string `json:"change_failure_rate"`
	Recovery      string `json:"time_to_restore"`
}

// Summarize writes f's four figures in a few words each: "1.9/week",
// "50m", "37.5%", "30m 30s", or "-" without data.
func Summarize(f Figures) Summary {
	s := Summary{Frequency: fmt.Sprintf("%.1f/week", f.Frequency.PerWeek), LeadTime: "-", ChangeFailure: "-", Recovery: "-"}
	if f.LeadTime.Commits > 0 {
		s.LeadTime = FormatDuration(f.LeadTime.Median.Duration())
	}
	if f.Failure.Changes > 0 {
		s.ChangeFailure = fmt.Sprintf("%.1f%%", f.Failure.Rate*100)
	}
	if f.Recovery.Recovered > 0 {
		s.Recovery = FormatDuration(f.Recovery.Median.Duration())
	}
	return s
}
