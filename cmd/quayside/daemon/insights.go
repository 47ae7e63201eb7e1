package daemon

import (
	"context"
	"time"

	"github.com/quayside/quayside/engine"
)

// insightsForMetrics computes every app's delivery figures for the
// Prometheus gauges, as the engine's own work (every app, no identity).
func (d *Daemon) insightsForMetrics(ctx context.Context, period time.Duration) (*engine.TeamInsights, error) {
	return d.engine.Insights(ctx, "", period)
}
