package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func ev(app, kind string, release int, at time.Duration) engine.Event {
	return engine.Event{App: app, Kind: kind, Release: release, Time: t0.Add(at)}
}

func TestDeployMetrics(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	m.Event(ev("web", engine.EventDeployStarted, 1, 0))
	m.Event(ev("api", engine.EventDeployStarted, 7, 5*time.Second))
	m.Event(ev("web", engine.EventDeploySucceeded, 1, 45*time.Second))
	m.Event(ev("api", engine.EventDeployFailed, 7, 20*time.Second))
	m.Event(ev("web", engine.EventRollback, 2, time.Minute))      // no start: counted, not timed
	m.Event(ev("web", engine.EventConfigChanged, 3, time.Minute)) // likewise
	m.Event(ev("web", engine.EventDeploySucceeded, 1, time.Hour)) // its start was used up
	m.Event(ev("web", engine.EventScaled, 3, time.Minute))        // not a deploy

	mfs := scrape(t, m)
	for _, tc := range []struct {
		app, result string
		want        float64
	}{
		{"web", ResultSucceeded, 2}, {"web", ResultRollback, 1}, {"web", ResultConfig, 1}, {"api", ResultFailed, 1},
	} {
		assert.Equal(t, tc.want, value(t, mfs, "quayside_deploys_total", map[string]string{"app": tc.app, "result": tc.result}), tc)
	}
	assert.Len(t, mfs["quayside_deploys_total"].GetMetric(), 4)

	ok := find(mfs, "quayside_deploy_duration_seconds", map[string]string{"result": ResultSucceeded}).GetHistogram()
	require.NotNil(t, ok)
	assert.Equal(t, uint64(1), ok.GetSampleCount())
	assert.Equal(t, 45.0, ok.GetSampleSum())
	failed := find(mfs, "quayside_deploy_duration_seconds", map[string]string{"result": ResultFailed}).GetHistogram()
	require.NotNil(t, failed)
	assert.Equal(t, 15.0, failed.GetSampleSum())
	assert.Nil(t, find(mfs, "quayside_deploy_duration_seconds", map[string]string{"result": ResultRollback}))
}

func TestDeployEventWithoutTimeUsesTheClock(t *testing.T) {
	m, c := newTestMetrics(t, "")
	m.Event(engine.Event{App: "web", Kind: engine.EventDeployStarted, Release: 1})
	c.Add(30 * time.Second)
	m.Event(engine.Event{App: "web", Kind: engine.EventDeploySucceeded, Release: 1})
	h := find(scrape(t, m), "quayside_deploy_duration_seconds", map[string]string{"result": ResultSucceeded}).GetHistogram()
	require.NotNil(t, h)
	assert.Equal(t, 30.0, h.GetSampleSum())
}

func TestPendingDeploysAreBounded(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	for i := range maxPending + 10 {
		m.Event(ev("web", engine.EventDeployStarted, i, 0)) // their ends never come
	}
	assert.Len(t, m.deploys.started, maxPending)
	m.Event(ev("web", engine.EventDeployStarted, 9999, pendingTTL+time.Minute))
	assert.Len(t, m.deploys.started, 1, "stale starts are dropped to make room")
}

func TestDestroyedAppIsForgotten(t *testing.T) {
	m, c := newTestMetrics(t, "")
	for _, app := range []string{"web", "api"} {
		m.ObserveRequest(app, 200, time.Millisecond, 1, 1)
		m.Event(ev(app, engine.EventDeployStarted, 1, 0))
		m.Event(ev(app, engine.EventDeploySucceeded, 1, time.Minute))
		m.Event(ev(app, engine.EventDeployStarted, 2, 2*time.Minute))
	}
	m.samples.set([]engine.ContainerSample{
		container("web", "web.1", 1, 10, 10, 0), container("api", "web.1", 1, 10, 10, 0),
	}, nil, m.log)
	tick(m, c)
	require.NotNil(t, m.AppSeries("web", time.Hour))

	m.Event(engine.Event{App: "web", Kind: engine.EventDestroyed})
	m.Event(engine.Event{Kind: engine.EventDestroyed}) // no app: nothing to forget

	mfs := scrape(t, m)
	for name, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				assert.False(t, l.GetName() == "app" && l.GetValue() == "web", "%s still has app=web", name)
			}
		}
	}
	assert.Equal(t, 1.0, value(t, mfs, "quayside_http_requests_total", map[string]string{"app": "api", "code": "2xx"}))
	assert.Equal(t, 10.0, value(t, mfs, "quayside_container_memory_bytes", map[string]string{"app": "api", "process": "web.1"}))
	assert.Equal(t, 1.0, value(t, mfs, "quayside_deploys_total", map[string]string{"app": "api", "result": ResultSucceeded}))
	assert.Nil(t, m.AppSeries("web", time.Hour))
	assert.NotNil(t, m.AppSeries("api", time.Hour))
	assert.NotContains(t, m.deploys.started, releaseKey{"web", 2})
	assert.Contains(t, m.deploys.started, releaseKey{"api", 2})

	t.Run("an app made again starts from zero", func(t *testing.T) {
		m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
		tick(m, c)
		assert.Equal(t, 1.0, value(t, scrape(t, m), "quayside_http_requests_total", map[string]string{"app": "web", "code": "2xx"}))
		pts := m.AppSeries("web", time.Hour)
		require.Len(t, pts, 1)
		assert.InDelta(t, 0.1, pts[0].Requests, 1e-6)
	})
}

func TestBuildMetrics(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	m.BuildFinished("web", 40*time.Second, nil)
	m.BuildFinished("web", 5*time.Second, errors.New("no Dockerfile"))
	m.BuildFinished("api", -time.Second, nil) // a clock step: counted as 0 s
	mfs := scrape(t, m)
	assert.Equal(t, 1.0, value(t, mfs, "quayside_builds_total", map[string]string{"app": "web", "result": ResultSucceeded}))
	assert.Equal(t, 1.0, value(t, mfs, "quayside_builds_total", map[string]string{"app": "web", "result": ResultFailed}))
	ok := find(mfs, "quayside_build_duration_seconds", map[string]string{"result": ResultSucceeded}).GetHistogram()
	require.NotNil(t, ok)
	assert.Equal(t, uint64(2), ok.GetSampleCount())
	assert.Equal(t, 40.0, ok.GetSampleSum())

	m.Event(engine.Event{App: "web", Kind: engine.EventDestroyed})
	mfs = scrape(t, m)
	assert.Nil(t, find(mfs, "quayside_builds_total", map[string]string{"app": "web", "result": ResultSucceeded}))
	assert.NotNil(t, find(mfs, "quayside_builds_total", map[string]string{"app": "api", "result": ResultSucceeded}))
}
