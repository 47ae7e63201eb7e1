package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quayside/quayside/engine"
)

// The delivery figures per app over InsightsPeriod, from engine.Insights.
// Figures without data (no commit reached production, no failure
// recovered) are left out rather than reported as zero.
var (
	descDeploysPerDay = prometheus.NewDesc("quayside_insights_deploys_per_day",
		"Production deploys per day over the last 30 days (pushes, config changes and rollbacks that went live), by app.",
		[]string{"app"}, nil)
	descLeadTime = prometheus.NewDesc("quayside_insights_lead_time_seconds",
		"Lead time for changes over the last 30 days: from commit (committer date) to the release that made it live, by app and quantile (0.5, 0.9).",
		[]string{"app", "quantile"}, nil)
	descChangeFailure = prometheus.NewDesc("quayside_insights_change_failure_ratio",
		"Share of production changes in the last 30 days that failed (before going live, or rolled back or crash-looping within the failure window), by app.",
		[]string{"app"}, nil)
	descRecovery = prometheus.NewDesc("quayside_insights_recovery_seconds",
		"Median time to restore over the last 30 days: from a failure after going live to the next release that served, by app.",
		[]string{"app"}, nil)
)

// Defaults of the insights collector.
const (
	InsightsPeriod = 30 * 24 * time.Hour
	// InsightsEvery is how long computed figures are served before a
	// scrape computes them again.
	InsightsEvery = time.Minute
)

// InsightsSource computes the figures of every app over a period.
type InsightsSource func(ctx context.Context, period time.Duration) (*engine.TeamInsights, error)

// InsightsCollector exposes the delivery figures of every app, computed at
// most once per InsightsEvery.
type InsightsCollector struct {
	source InsightsSource
	log    *slog.Logger
	now    func() time.Time

	mu   sync.Mutex
	at   time.Time
	last *engine.TeamInsights
}

// NewInsightsCollector returns a collector reading figures from source.
func NewInsightsCollector(source InsightsSource, log *slog.Logger) *InsightsCollector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &InsightsCollector{source: source, log: log, now: time.Now}
}

// Describe sends the insights metrics' descriptions.
func (*InsightsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDeploysPerDay, descLeadTime, descChangeFailure, descRecovery} {
		ch <- d
	}
}

// Collect sends each app's figures.
func (c *InsightsCollector) Collect(ch chan<- prometheus.Metric) {
	rep := c.figures()
	if rep == nil {
		return
	}
	for _, a := range rep.PerApp {
		f := a.Report.Current
		ch <- prometheus.MustNewConstMetric(descDeploysPerDay, prometheus.GaugeValue, f.Frequency.PerDay, a.App)
		if f.LeadTime.Commits > 0 {
			ch <- prometheus.MustNewConstMetric(descLeadTime, prometheus.GaugeValue, f.LeadTime.Median.Duration().Seconds(), a.App, "0.5")
			ch <- prometheus.MustNewConstMetric(descLeadTime, prometheus.GaugeValue, f.LeadTime.P90.Duration().Seconds(), a.App, "0.9")
		}
		if f.Failure.Changes > 0 {
			ch <- prometheus.MustNewConstMetric(descChangeFailure, prometheus.GaugeValue, f.Failure.Rate, a.App)
		}
		if f.Recovery.Recovered > 0 {
			ch <- prometheus.MustNewConstMetric(descRecovery, prometheus.GaugeValue, f.Recovery.Median.Duration().Seconds(), a.App)
		}
	}
}

// figures returns the cached figures, computing them when older than
// InsightsEvery; on an error it keeps serving the last ones.
func (c *InsightsCollector) figures() *engine.TeamInsights {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && c.now().Sub(c.at) < InsightsEvery {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := c.source(ctx, InsightsPeriod)
	if err != nil {
		c.log.Warn("compute delivery figures for metrics", "err", err)
		return c.last
	}
	c.last, c.at = rep, c.now()
	return rep
}
