package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// buildMetrics count and time builds. The engine's events do not tell a
// build apart from the deploy around it, so they are fed by BuildFinished,
// which the engine does not call yet.
type buildMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newBuildMetrics() buildMetrics {
	return buildMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quayside_builds_total",
			Help: "Builds that finished, by app and result (succeeded, failed).",
		}, []string{"app", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "quayside_build_duration_seconds",
			Help:    "Time a build took, from getting a build slot to its image or its failure, by result.",
			Buckets: []float64{5, 10, 20, 30, 60, 120, 180, 300, 600, 900, 1800, 3600},
		}, []string{"result"}),
	}
}

// register adds the build metrics to reg.
func (b *buildMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(b.total, b.duration)
}

// drop forgets app's builds.
func (b *buildMetrics) drop(app string) {
	b.total.DeletePartialMatch(prometheus.Labels{"app": app})
}

// BuildFinished records a build of app that took took and failed when err
// is set.
func (m *Metrics) BuildFinished(app string, took time.Duration, err error) {
	result := ResultSucceeded
	if err != nil {
		result = ResultFailed
	}
	m.builds.total.WithLabelValues(app, result).Inc()
	m.builds.duration.WithLabelValues(result).Observe(max(took, 0).Seconds())
}
