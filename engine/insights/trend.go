package insights

// Trend directions of a figure against the previous period.
const (
	TrendBetter = "better"
	TrendWorse  = "worse"
	TrendSame   = "same"
	// TrendNone: one of the periods has no data for the figure.
	TrendNone = "none"
)

// Trend says, per figure, how the period compares with the one before.
type Trend struct {
	Frequency     string `json:"deployment_frequency"`
	LeadTime      string `json:"lead_time"`
	ChangeFailure string `json:"change_failure"`
	Recovery      string `json:"recovery"`
}

// trendOf compares cur with prev: more deploys, shorter lead and recovery
// times and a lower failure rate are better.
func trendOf(cur, prev Figures) Trend {
	t := Trend{
		Frequency:     compare(prev.Frequency.PerDay, cur.Frequency.PerDay),
		LeadTime:      TrendNone,
		ChangeFailure: TrendNone,
		Recovery:      TrendNone,
	}
	if cur.LeadTime.Commits > 0 && prev.LeadTime.Commits > 0 {
		t.LeadTime = compare(float64(cur.LeadTime.Median), float64(prev.LeadTime.Median))
	}
	if cur.Failure.Changes > 0 && prev.Failure.Changes > 0 {
		t.ChangeFailure = compare(cur.Failure.Rate, prev.Failure.Rate)
	}
	if cur.Recovery.Recovered > 0 && prev.Recovery.Recovered > 0 {
		t.Recovery = compare(float64(cur.Recovery.Median), float64(prev.Recovery.Median))
	}
	return t
}

// compare is better when good exceeds bad, worse when it falls short.
func compare(bad, good float64) string {
	switch {
	case good > bad:
		return TrendBetter
	case good < bad:
		return TrendWorse
	}
	return TrendSame
}
