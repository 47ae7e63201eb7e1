package insights

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Performance bands, best first. BandNone means the period has no data for
// the figure.
const (
	BandElite  = "elite"
	BandHigh   = "high"
	BandMedium = "medium"
	BandLow    = "low"
	BandNone   = "none"
)

// Day is 24 hours; the figures count days in UTC.
const Day = 24 * time.Hour

// Thresholds are the limits between the performance bands. Each triple is
// (elite, high, medium): a figure at least as good as the first limit is
// elite, else at least as good as the second is high, else at least as good
// as the third is medium, else low.
type Thresholds struct {
	// Frequency limits are production deploys per day (higher is better).
	Frequency [3]float64
	// LeadTime limits are medians (lower is better; a median below the
	// limit is in the band).
	LeadTime [3]time.Duration
	// ChangeFailure limits are rates between 0 and 1 (at or below).
	ChangeFailure [3]float64
	// Recovery limits are medians (below the limit is in the band).
	Recovery [3]time.Duration
}

// DefaultThresholds are the bands of the 2023 Accelerate State of DevOps
// report: deploys on demand (daily or more) / between daily and weekly /
// between weekly and monthly; lead time under a day / a week / a month;
// change failure rate 5% / 10% / 15%; recovery under an hour / a day / a
// week.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Frequency:     [3]float64{1, 1.0 / 7, 1.0 / 30},
		LeadTime:      [3]time.Duration{Day, 7 * Day, 30 * Day},
		ChangeFailure: [3]float64{0.05, 0.10, 0.15},
		Recovery:      [3]time.Duration{time.Hour, Day, 7 * Day},
	}
}

var bandNames = [4]string{BandElite, BandHigh, BandMedium, BandLow}

// FrequencyBand is the band of perDay production deploys per day.
func (t Thresholds) FrequencyBand(perDay float64) string {
	for i, lim := range t.Frequency {
		if perDay >= lim {
			return bandNames[i]
		}
	}
	return BandLow
}

// durationBand is the band of a median against (elite, high, medium) limits.
func durationBand(median time.Duration, lims [3]time.Duration) string {
	for i, lim := range lims {
		if median < lim {
			return bandNames[i]
		}
	}
	return BandLow
}

// ChangeFailureBand is the band of a change failure rate.
func (t Thresholds) ChangeFailureBand(rate float64) string {
	for i, lim := range t.ChangeFailure {
		if rate <= lim {
			return bandNames[i]
		}
	}
	return BandLow
}

// ParseThresholds reads band limits as the server's --insights-bands flag
// writes them: semicolon-separated figures, each "name=elite,high,medium",
// where name is frequency (deploys per day), lead_time and recovery
// (durations such as 30m, 12h, 7d) or change_failure (percentages). Figures
// left out keep the defaults; "" is the defaults.
func ParseThresholds(s string) (Thresholds, error) {
	t := DefaultThresholds()
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, vals, ok := strings.Cut(part, "=")
		fields := strings.Split(vals, ",")
		if !ok || len(fields) != 3 {
			return t, fmt.Errorf("insights bands: %q is not name=elite,high,medium (for example lead_time=1d,7d,30d)", part)
		}
		if err := t.set(strings.TrimSpace(name), fields); err != nil {
			return t, fmt.Errorf("insights bands: %s: %w", name, err)
		}
	}
	return t, nil
}

// set parses one figure's three limits and checks they are in order.
func (t *Thresholds) set(name string, fields []string) error {
	switch name {
	case "frequency":
		return parseFloats(fields, 1, false, &t.Frequency)
	case "change_failure":
		return parseFloats(fields, 100, true, &t.ChangeFailure)
	case "lead_time":
		return parseDurations(fields, &t.LeadTime)
	case "recovery":
		return parseDurations(fields, &t.Recovery)
	}
	return fmt.Errorf("unknown figure: use frequency, lead_time, change_failure or recovery")
}

// parseFloats reads three numbers divided by div, ascending when asc and
// descending otherwise.
func parseFloats(fields []string, div float64, asc bool, out *[3]float64) error {
	for i, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 {
			return fmt.Errorf("%q is not a number of zero or more", f)
		}
		out[i] = v / div
	}
	if (asc && !(out[0] <= out[1] && out[1] <= out[2])) || (!asc && !(out[0] >= out[1] && out[1] >= out[2])) {
		return fmt.Errorf("the limits must go from elite to medium in order")
	}
	return nil
}

// parseDurations reads three ascending durations.
func parseDurations(fields []string, out *[3]time.Duration) error {
	for i, f := range fields {
		d, err := ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return err
		}
		out[i] = d
	}
	if !(out[0] <= out[1] && out[1] <= out[2]) {
		return fmt.Errorf("the limits must go from elite to medium in order")
	}
	return nil
}

// ParseDuration reads a positive duration as Go writes it (90m, 12h) or as
// a number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 3650 {
			return 0, fmt.Errorf("%q is not a number of days between 1 and 3650 (for example 30d)", s)
		}
		return time.Duration(days) * Day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration (for example 30d, 12h or 90m)", s)
	}
	return d, nil
}
