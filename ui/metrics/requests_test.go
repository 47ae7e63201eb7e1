package metrics

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusClass(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   string
	}{
		{0, "0"}, {-1, "0"}, {99, "0"}, {100, "1xx"}, {101, "1xx"}, {200, "2xx"}, {204, "2xx"},
		{301, "3xx"}, {404, "4xx"}, {499, "4xx"}, {500, "5xx"}, {503, "5xx"}, {599, "5xx"}, {600, "0"}, {999, "0"},
	} {
		assert.Equal(t, tc.want, codeLabels[statusClass(tc.status)], "status %d", tc.status)
	}
}

func TestLatencyBucket(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{-time.Second, 0}, {0, 0}, {time.Millisecond, 0}, {time.Millisecond + 1, 1},
		{3 * time.Millisecond, 2}, {100 * time.Millisecond, 6}, {10 * time.Second, 12},
		{10*time.Second + 1, 13}, {time.Hour, 13},
	} {
		assert.Equal(t, tc.want, latencyBucket(tc.d), "%v", tc.d)
	}
}

func TestPercentile(t *testing.T) {
	var none [len(latencyBounds) + 1]uint64
	assert.Zero(t, percentile(&none, 0.5))

	var fast [len(latencyBounds) + 1]uint64
	fast[0] = 100 // all within (0, 1ms]
	assert.InDelta(t, 0.0005, percentile(&fast, 0.5), 1e-9)
	assert.InDelta(t, 0.00095, percentile(&fast, 0.95), 1e-9)

	var split [len(latencyBounds) + 1]uint64
	split[latencyBucket(8*time.Millisecond)] = 90   // (5ms, 10ms]
	split[latencyBucket(400*time.Millisecond)] = 10 // (250ms, 500ms]
	assert.InDelta(t, 0.005+0.005*50/90, percentile(&split, 0.5), 1e-9)
	assert.InDelta(t, 0.375, percentile(&split, 0.95), 1e-9)

	var slow [len(latencyBounds) + 1]uint64
	slow[len(latencyBounds)] = 5 // over the top bound
	assert.InDelta(t, 10.0, percentile(&slow, 0.5), 1e-9)
}

func TestRequestCounters(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	for range 7 {
		m.ObserveRequest("web", 200, 3*time.Millisecond, 10, 100)
	}
	m.ObserveRequest("web", 302, 20*time.Millisecond, 0, 0)
	m.ObserveRequest("web", 503, 2*time.Second, 0, 50)
	m.ObserveRequest("web", 0, time.Minute, 5, 0)
	m.ObserveRequest("", 404, time.Millisecond, 0, 20)
	m.ObserveRequest("api", 101, time.Millisecond, -1, -1) // negative byte counts are ignored

	mfs := scrape(t, m)
	web := map[string]string{"app": "web"}
	for code, want := range map[string]float64{"0": 1, "1xx": 0, "2xx": 7, "3xx": 1, "4xx": 0, "5xx": 1} {
		assert.Equal(t, want, value(t, mfs, "quayside_http_requests_total", map[string]string{"app": "web", "code": code}), code)
	}
	assert.Equal(t, 1.0, value(t, mfs, "quayside_http_requests_total", map[string]string{"app": "-", "code": "4xx"}))
	assert.Equal(t, 1.0, value(t, mfs, "quayside_http_requests_total", map[string]string{"app": "api", "code": "1xx"}))
	assert.Equal(t, 75.0, value(t, mfs, "quayside_http_request_bytes_total", web))
	assert.Equal(t, 750.0, value(t, mfs, "quayside_http_response_bytes_total", web))
	assert.Zero(t, value(t, mfs, "quayside_http_request_bytes_total", map[string]string{"app": "api"}))

	h := find(mfs, "quayside_http_request_duration_seconds", web).GetHistogram()
	require.NotNil(t, h)
	assert.Equal(t, uint64(10), h.GetSampleCount())
	assert.InDelta(t, 7*0.003+0.02+2+60, h.GetSampleSum(), 1e-9)
	cumulative := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		cumulative[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	assert.Equal(t, uint64(0), cumulative[0.001])
	assert.Equal(t, uint64(7), cumulative[0.005])
	assert.Equal(t, uint64(8), cumulative[0.025])
	assert.Equal(t, uint64(9), cumulative[2.5])
	assert.Equal(t, uint64(9), cumulative[10])
	assert.Len(t, h.GetBucket(), len(latencyBounds)+1, "and +Inf")
}

func TestRequestsInFlight(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	m.RequestStarted("web")
	m.RequestStarted("web")
	m.RequestStarted("api")
	m.RequestDone("web")
	m.RequestDone("nobody") // never started: ignored, and adds no app
	mfs := scrape(t, m)
	assert.Equal(t, 1.0, value(t, mfs, "quayside_http_requests_in_flight", map[string]string{"app": "web"}))
	assert.Equal(t, 1.0, value(t, mfs, "quayside_http_requests_in_flight", map[string]string{"app": "api"}))
	assert.Nil(t, find(mfs, "quayside_http_requests_in_flight", map[string]string{"app": "nobody"}))

	t.Run("never below zero", func(t *testing.T) {
		m.RequestDone("api")
		m.RequestDone("api")
		assert.Zero(t, value(t, scrape(t, m), "quayside_http_requests_in_flight", map[string]string{"app": "api"}))
	})
}

func TestObserveRequestConcurrently(t *testing.T) {
	m, _ := newTestMetrics(t, "")
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			app := fmt.Sprintf("app-%d", w%3)
			for range each {
				m.RequestStarted(app)
				m.ObserveRequest(app, 200, time.Millisecond, 1, 2)
				m.RequestDone(app)
			}
		})
	}
	wg.Go(func() { // scrapes and history ticks run beside the requests
		for range 20 {
			_, _ = m.reg.Gather()
			m.closeInterval(time.Now())
		}
	})
	wg.Wait()
	mfs := scrape(t, m)
	var total float64
	for a := range 3 {
		app := fmt.Sprintf("app-%d", a)
		total += value(t, mfs, "quayside_http_requests_total", map[string]string{"app": app, "code": "2xx"})
		assert.Zero(t, value(t, mfs, "quayside_http_requests_in_flight", map[string]string{"app": app}))
	}
	assert.Equal(t, float64(workers*each), total)
}

// BenchmarkObserveRequest is the cost a proxied request pays for metrics:
// in flight start and end, and the finished request, from parallel
// goroutines over a few apps.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(Config{})
	apps := []string{"web", "api", "shop", "blog"}
	for _, a := range apps {
		m.ObserveRequest(a, 200, time.Millisecond, 0, 0)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			app := apps[i%len(apps)]
			m.RequestStarted(app)
			m.ObserveRequest(app, 200, time.Duration(i%50)*time.Millisecond, 0, 1234)
			m.RequestDone(app)
			i++
		}
	})
}

// BenchmarkObserveRequestSerial is ObserveRequest alone on one goroutine.
func BenchmarkObserveRequestSerial(b *testing.B) {
	m := New(Config{})
	m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("web", 200, 3*time.Millisecond, 0, 1234)
	}
}
