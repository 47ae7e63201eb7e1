package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// t0 is a 5-minute boundary, so windows are easy to reason about.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// newTestMetrics returns Metrics on a fake clock, saving in dir ("" for
// none).
func newTestMetrics(t *testing.T, dir string) (*Metrics, *fakeClock) {
	t.Helper()
	c := newClock()
	return New(Config{Dir: dir, Now: c.Now}), c
}

// tick moves the clock one Resolution on and closes the interval.
func tick(m *Metrics, c *fakeClock) {
	m.closeInterval(c.Add(Resolution))
}

// scrape fetches the handler's text output and parses it.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	p := expfmt.NewTextParser(model.LegacyValidation) // the zero parser panics since prometheus/common v0.67
	mfs, err := p.TextToMetricFamilies(rec.Body)
	require.NoError(t, err)
	return mfs
}

// find returns the metric of family name with exactly labels, or nil.
func find(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	mf := mfs[name]
	if mf == nil {
		return nil
	}
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// value returns the value of a counter or gauge, failing when absent.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := find(mfs, name, labels)
	require.NotNil(t, m, "%s%v not found", name, labels)
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	require.FailNow(t, name+" is neither a counter nor a gauge")
	return 0
}

// fakeSampler returns what it is given, counting its calls.
type fakeSampler struct {
	mu      sync.Mutex
	samples []engine.ContainerSample
	err     error
	calls   int
}

func (s *fakeSampler) SampleContainers(context.Context) ([]engine.ContainerSample, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return s.samples, s.err
}

func (s *fakeSampler) set(samples []engine.ContainerSample, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples, s.err = samples, err
}

func (s *fakeSampler) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func container(app, process string, release int, cpu float64, mem uint64, restarts int) engine.ContainerSample {
	return engine.ContainerSample{
		App: app, Process: process, Release: release, Restarts: restarts,
		ContainerStats: engine.ContainerStats{CPUPercent: cpu, MemoryBytes: mem},
	}
}

// recordingHandler keeps the messages of the records logged through it.
type recordingHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }

func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}

func (h *recordingHandler) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.msgs...)
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "timed out waiting for "+what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
