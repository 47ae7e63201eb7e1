package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
)

func TestInsightsCollector(t *testing.T) {
	calls := 0
	fail := false
	src := func(_ context.Context, period time.Duration) (*engine.TeamInsights, error) {
		calls++
		if fail {
			return nil, errors.New("database is locked")
		}
		if period != InsightsPeriod {
			t.Errorf("period %s", period)
		}
		var busy, quiet insights.Figures
		busy.Frequency.PerDay = 0.5
		busy.LeadTime = insights.LeadTime{Commits: 3, Median: insights.Seconds(90 * time.Second), P90: insights.Seconds(time.Hour)}
		busy.Failure = insights.ChangeFailure{Changes: 4, Failed: 1, Rate: 0.25}
		busy.Recovery = insights.Recovery{Failures: 1, Recovered: 1, Median: insights.Seconds(10 * time.Minute)}
		return &engine.TeamInsights{PerApp: []engine.AppInsights{
			{App: "shop", Report: insights.Report{Current: busy}},
			{App: "blog", Report: insights.Report{Current: quiet}},
		}}, nil
	}
	m, _ := newTestMetrics(t, "")
	c := NewInsightsCollector(src, nil)
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return clock }
	m.Register(c)
	mfs := scrape(t, m)
	gauge := func(name string, labels map[string]string) float64 {
		t.Helper()
		g := find(mfs, name, labels)
		if g == nil {
			t.Fatalf("no %s %v", name, labels)
		}
		return g.GetGauge().GetValue()
	}
	shop := map[string]string{"app": "shop"}
	if gauge("quayside_insights_deploys_per_day", shop) != 0.5 || gauge("quayside_insights_deploys_per_day", map[string]string{"app": "blog"}) != 0 {
		t.Error("deploys per day")
	}
	if gauge("quayside_insights_lead_time_seconds", map[string]string{"app": "shop", "quantile": "0.5"}) != 90 ||
		gauge("quayside_insights_lead_time_seconds", map[string]string{"app": "shop", "quantile": "0.9"}) != 3600 {
		t.Error("lead time")
	}
	if gauge("quayside_insights_change_failure_ratio", shop) != 0.25 || gauge("quayside_insights_recovery_seconds", shop) != 600 {
		t.Error("failure rate or recovery")
	}
	if find(mfs, "quayside_insights_change_failure_ratio", map[string]string{"app": "blog"}) != nil {
		t.Error("an app without changes has no failure rate, not a rate of 0")
	}
	scrape(t, m)
	if calls != 1 {
		t.Errorf("computed %d times within a minute, want once", calls)
	}
	clock = clock.Add(2 * time.Minute)
	fail = true
	mfs = scrape(t, m)
	if calls != 2 || find(mfs, "quayside_insights_recovery_seconds", shop) == nil {
		t.Errorf("after a failure the last figures are served (%d calls)", calls)
	}
}
