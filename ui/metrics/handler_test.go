package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// busyMetrics returns Metrics with every kind of metric filled.
func busyMetrics(t *testing.T) *Metrics {
	t.Helper()
	expiry := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	c := newClock()
	m := New(Config{Now: c.Now, CertExpiry: func() map[string]time.Time {
		return map[string]time.Time{"web.example.com": expiry}
	}})
	m.ObserveRequest("web", 200, time.Millisecond, 10, 10)
	m.ObserveRequest("", 404, time.Millisecond, 0, 10)
	m.RequestStarted("web")
	m.samples.set([]engine.ContainerSample{container("web", "web.1", 3, 150, 64<<20, 2)}, nil, m.log)
	m.Event(engine.Event{App: "web", Kind: engine.EventDeployStarted, Release: 3, Time: t0})
	m.Event(engine.Event{App: "web", Kind: engine.EventDeploySucceeded, Release: 3, Time: t0.Add(time.Minute)})
	m.BuildFinished("web", 30*time.Second, nil)
	return m
}

func TestHandlerServesEveryMetric(t *testing.T) {
	mfs := scrape(t, busyMetrics(t))
	for name, typ := range map[string]dto.MetricType{
		"quayside_http_requests_total":                  dto.MetricType_COUNTER,
		"quayside_http_request_duration_seconds":        dto.MetricType_HISTOGRAM,
		"quayside_http_request_bytes_total":             dto.MetricType_COUNTER,
		"quayside_http_response_bytes_total":            dto.MetricType_COUNTER,
		"quayside_http_requests_in_flight":              dto.MetricType_GAUGE,
		"quayside_container_cpu_usage_ratio":            dto.MetricType_GAUGE,
		"quayside_container_memory_bytes":               dto.MetricType_GAUGE,
		"quayside_container_restarts_total":             dto.MetricType_COUNTER,
		"quayside_deploys_total":                        dto.MetricType_COUNTER,
		"quayside_deploy_duration_seconds":              dto.MetricType_HISTOGRAM,
		"quayside_builds_total":                         dto.MetricType_COUNTER,
		"quayside_build_duration_seconds":               dto.MetricType_HISTOGRAM,
		"quayside_certificate_expiry_timestamp_seconds": dto.MetricType_GAUGE,
		"go_goroutines":                                 dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes":                  dto.MetricType_GAUGE,
		"process_resident_memory_bytes":                 dto.MetricType_GAUGE,
	} {
		require.Contains(t, mfs, name)
		assert.Equal(t, typ, mfs[name].GetType(), name)
	}
	web := map[string]string{"app": "web", "process": "web.1"}
	assert.Equal(t, 1.5, value(t, mfs, "quayside_container_cpu_usage_ratio", web))
	assert.Equal(t, float64(64<<20), value(t, mfs, "quayside_container_memory_bytes", web))
	assert.Equal(t, 2.0, value(t, mfs, "quayside_container_restarts_total", web))
	assert.Equal(t, float64(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Unix()),
		value(t, mfs, "quayside_certificate_expiry_timestamp_seconds", map[string]string{"host": "web.example.com"}))
}

func TestMetricNamesPassPromlint(t *testing.T) {
	rec := httptest.NewRecorder()
	busyMetrics(t).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	problems, err := promlint.New(strings.NewReader(rec.Body.String())).Lint()
	require.NoError(t, err)
	var ours []promlint.Problem
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "quayside_") {
			ours = append(ours, p)
		}
	}
	assert.Empty(t, ours)
}

func TestLabelsAreBounded(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	m.ObserveRequest("", 404, time.Millisecond, 0, 0)
	m.ObserveRequest("", 404, time.Millisecond, 0, 0)
	mfs := scrape(t, m)
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "app" {
					assert.Equal(t, Unrouted, l.GetValue(), "unrouted requests share one label value")
				}
			}
		}
	}
	assert.Len(t, mfs["quayside_http_requests_total"].GetMetric(), len(codeLabels), "one series per status class")
}

func TestNoCertificates(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	assert.NotContains(t, scrape(t, m), "quayside_certificate_expiry_timestamp_seconds")
}
