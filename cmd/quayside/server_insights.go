package main

import (
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
)

// insightsSettings reads --insights-bands and --insights-window.
func (c *serverCmd) insightsSettings() (engine.InsightsSettings, error) {
	t, err := insights.ParseThresholds(c.InsightsBands)
	if err != nil {
		return engine.InsightsSettings{}, fieldErr("insights-bands", "--insights-bands: %s", strings.TrimPrefix(err.Error(), "insights bands: "))
	}
	if c.InsightsWindow < time.Minute || c.InsightsWindow > 30*insights.Day {
		return engine.InsightsSettings{}, fieldErr("insights-window", "--insights-window must be a duration between 1m and 720h, such as 24h")
	}
	return engine.InsightsSettings{Thresholds: t, FailureWindow: c.InsightsWindow}, nil
}
