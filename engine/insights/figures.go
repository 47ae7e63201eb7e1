package insights

import (
	"fmt"
	"strconv"
	"time"
)

// Figures are the four figures over one period.
type Figures struct {
	From      time.Time     `json:"from"`
	To        time.Time     `json:"to"`
	Frequency Frequency     `json:"deployment_frequency"`
	LeadTime  LeadTime      `json:"lead_time"`
	Failure   ChangeFailure `json:"change_failure"`
	Recovery  Recovery      `json:"recovery"`
}

// Frequency counts production releases that went live in the period.
type Frequency struct {
	// Deploys is every release that went live: Pushes + Config + Rollbacks.
	Deploys   int `json:"deploys"`
	Pushes    int `json:"pushes"`
	Config    int `json:"config"`
	Rollbacks int `json:"rollbacks"`
	// PerDay is Deploys over the period's days, PerWeek over its weeks.
	PerDay  float64 `json:"per_day"`
	PerWeek float64 `json:"per_week"`
	// DeployDaysPerWeek is the number of UTC days with at least one deploy
	// over the period's weeks.
	DeployDaysPerWeek float64 `json:"deploy_days_per_week"`
	Band              string  `json:"band"`
}

// LeadTime is the time from each commit to the release that made it live.
type LeadTime struct {
	// Commits is how many commits reached production in the period.
	Commits int `json:"commits"`
	// Median and P90 are by committer date; AuthorMedian and AuthorP90 by
	// author date. Seconds in JSON.
	Median       Seconds `json:"median_seconds"`
	P90          Seconds `json:"p90_seconds"`
	AuthorMedian Seconds `json:"author_median_seconds"`
	AuthorP90    Seconds `json:"author_p90_seconds"`
	// Skewed counts commits dated after the release that made them live
	// (clocks disagree); their lead time counts as zero.
	Skewed int    `json:"skewed"`
	Band   string `json:"band"`
}

// ChangeFailure is the share of production changes that failed.
type ChangeFailure struct {
	// Changes are deploys and config changes that finished in the period,
	// live or failed. Rollbacks are not changes.
	Changes int `json:"changes"`
	// Failed = BeforeLive + AfterLive.
	Failed int `json:"failed"`
	// BeforeLive failed before serving (build, release phase, health check).
	BeforeLive int `json:"failed_before_live"`
	// AfterLive served and then were rolled back or crash-looped within
	// the failure window.
	AfterLive int `json:"failed_after_live"`
	// Rate is Failed / Changes, 0 without changes.
	Rate float64 `json:"rate"`
	Band string  `json:"band"`
}

// Recovery is the time from a failure after going live to the next
// release that served.
type Recovery struct {
	// Failures are failures after going live that began in the period.
	Failures int `json:"failures"`
	// Recovered of them were followed by a release that served; Open were
	// not (yet).
	Recovered int     `json:"recovered"`
	Open      int     `json:"open"`
	Median    Seconds `json:"median_seconds"`
	P90       Seconds `json:"p90_seconds"`
	Band      string  `json:"band"`
}

// Seconds is a duration written in JSON as whole seconds.
type Seconds time.Duration

// MarshalJSON writes whole seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(time.Duration(s)/time.Second), 10), nil
}

// UnmarshalJSON reads whole seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("read seconds: %w", err)
	}
	*s = Seconds(time.Duration(n) * time.Second)
	return nil
}

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) }
