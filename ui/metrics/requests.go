package metrics

import (
	"maps"
	"sync/atomic"
	"time"
)

// Unrouted is the app label of requests no app was routed to: the Host
// header itself is never a label value, its values are unbounded.
const Unrouted = "-"

// codeLabels are the values of the code label, by statusClass.
var codeLabels = [...]string{"0", "1xx", "2xx", "3xx", "4xx", "5xx"}

const classServerError = 5

// statusClass is the index in codeLabels of status: its hundreds, or 0
// for an aborted request (0) and anything outside 100-599.
func statusClass(status int) int {
	if status < 100 || status >= 600 {
		return 0
	}
	return status / 100
}

// appStats are an app's request counters since it was first seen. They
// only grow (except inFlight): the Prometheus figures are them, and the
// history takes the difference from one interval to the next.
type appStats struct {
	label    string // the app label
	codes    [len(codeLabels)]atomic.Uint64
	latency  [len(latencyBounds) + 1]atomic.Uint64 // by latencyBucket
	nanos    atomic.Uint64                         // sum of the durations
	bytesIn  atomic.Uint64
	bytesOut atomic.Uint64
	inFlight atomic.Int64
}

// ObserveRequest records one finished request to app ("" when no app had
// the request's host): its status (0 when aborted), its duration and its
// body bytes in and out. It does not allocate once the app is known.
func (m *Metrics) ObserveRequest(app string, status int, d time.Duration, bytesIn, bytesOut int64) {
	s := m.stats(app)
	s.codes[statusClass(status)].Add(1)
	s.latency[latencyBucket(d)].Add(1)
	s.nanos.Add(uint64(max(d, 0)))
	if bytesIn > 0 {
		s.bytesIn.Add(uint64(bytesIn))
	}
	if bytesOut > 0 {
		s.bytesOut.Add(uint64(bytesOut))
	}
}

// RequestStarted counts a request to app in flight until RequestDone.
func (m *Metrics) RequestStarted(app string) {
	m.stats(app).inFlight.Add(1)
}

// RequestDone ends a request counted by RequestStarted. The request of an
// app destroyed meanwhile is ignored.
func (m *Metrics) RequestDone(app string) {
	if s := (*m.apps.Load())[app]; s != nil {
		s.inFlight.Add(-1)
	}
}

// stats returns app's counters, adding them the first time.
func (m *Metrics) stats(app string) *appStats {
	if s := (*m.apps.Load())[app]; s != nil {
		return s
	}
	return m.addApp(app)
}

// addApp adds app's counters, unless another request just did.
func (m *Metrics) addApp(app string) *appStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.apps.Load()
	if s := old[app]; s != nil {
		return s
	}
	s := &appStats{label: app}
	if app == "" {
		s.label = Unrouted
	}
	apps := maps.Clone(old)
	apps[app] = s
	m.apps.Store(&apps)
	return s
}

// dropApp forgets app's counters.
func (m *Metrics) dropApp(app string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.apps.Load()
	if old[app] == nil {
		return
	}
	apps := maps.Clone(old)
	delete(apps, app)
	m.apps.Store(&apps)
}

// counts is a reading of an app's request counters.
type counts struct {
	requests, errors uint64
	latency          [len(latencyBounds) + 1]uint64
}

// read returns the counters' current values.
func (s *appStats) read() counts {
	var c counts
	for i := range s.codes {
		c.requests += s.codes[i].Load()
	}
	c.errors = s.codes[classServerError].Load()
	for i := range s.latency {
		c.latency[i] = s.latency[i].Load()
	}
	return c
}

// sub returns the counts since an earlier reading.
func (c counts) sub(earlier counts) counts {
	d := counts{requests: c.requests - earlier.requests, errors: c.errors - earlier.errors}
	for i := range c.latency {
		d.latency[i] = c.latency[i] - earlier.latency[i]
	}
	return d
}
