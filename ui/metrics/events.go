package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quayside/quayside/engine"
)

// Results of a deploy or a build, the values of the result label.
const (
	ResultSucceeded = "succeeded"
	ResultFailed    = "failed"
	ResultRollback  = "rollback"
	ResultConfig    = "config_changed"
)

// deployResults maps the events that end a release to their result.
var deployResults = map[string]string{
	engine.EventDeploySucceeded: ResultSucceeded,
	engine.EventDeployFailed:    ResultFailed,
	engine.EventRollback:        ResultRollback,
	engine.EventConfigChanged:   ResultConfig,
}

// maxPending bounds the deploys being timed; pendingTTL is how long a
// start waits for its end before it may be dropped.
const (
	maxPending = 256
	pendingTTL = 24 * time.Hour
)

// deployMetrics counts and times deploys from the engine's events.
type deployMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu      sync.Mutex
	started map[releaseKey]time.Time // deploys under way
}

type releaseKey struct {
	app     string
	release int
}

func newDeployMetrics() deployMetrics {
	return deployMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quayside_deploys_total",
			Help: "Releases that finished, by app and result (succeeded, failed, rollback, config_changed).",
		}, []string{"app", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "quayside_deploy_duration_seconds",
			Help:    "Time from a push starting a deploy to its release serving or failing, build included, by result.",
			Buckets: []float64{5, 10, 20, 30, 60, 120, 180, 300, 600, 900, 1800, 3600},
		}, []string{"result"}),
		started: map[releaseKey]time.Time{},
	}
}

// register adds the deploy metrics to reg.
func (d *deployMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(d.total, d.duration)
}

// Event records what ev tells about deploys, and forgets a destroyed
// app's figures and history. It never blocks for long.
func (m *Metrics) Event(ev engine.Event) {
	if ev.Time.IsZero() {
		ev.Time = m.now()
	}
	switch {
	case ev.Kind == engine.EventDeployStarted:
		m.deploys.start(ev)
	case deployResults[ev.Kind] != "":
		m.deploys.end(ev, deployResults[ev.Kind])
	case ev.Kind == engine.EventDestroyed:
		m.forget(ev.App)
	}
}

// start times the release ev started.
func (d *deployMetrics) start(ev engine.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.started) >= maxPending {
		for k, t := range d.started {
			if ev.Time.Sub(t) > pendingTTL {
				delete(d.started, k)
			}
		}
		if len(d.started) >= maxPending {
			return
		}
	}
	d.started[releaseKey{ev.App, ev.Release}] = ev.Time
}

// end counts the release ev ended and observes its duration when its
// start was seen: only pushes have one.
func (d *deployMetrics) end(ev engine.Event, result string) {
	d.total.WithLabelValues(ev.App, result).Inc()
	d.mu.Lock()
	defer d.mu.Unlock()
	k := releaseKey{ev.App, ev.Release}
	start, ok := d.started[k]
	if !ok {
		return
	}
	delete(d.started, k)
	if took := ev.Time.Sub(start); took >= 0 {
		d.duration.WithLabelValues(result).Observe(took.Seconds())
	}
}

// drop forgets app's deploys.
func (d *deployMetrics) drop(app string) {
	d.total.DeletePartialMatch(prometheus.Labels{"app": app})
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.started {
		if k.app == app {
			delete(d.started, k)
		}
	}
}

// forget drops everything kept about app: its request counters, deploys,
// containers and history, so that label values stay bounded.
func (m *Metrics) forget(app string) {
	if app == "" {
		return
	}
	m.dropApp(app)
	m.deploys.drop(app)
	m.builds.drop(app)
	m.samples.drop(app)
	m.hist.drop(app)
}
