package metrics

import (
	"sync"
	"time"
)

// The history's shape: the last hour at Resolution and the last week at
// coarseStep. An app's history takes at most
// (fineSize+coarseSize) * 32 bytes = 76,032 bytes, plus its rollup and
// map entry (under 77 KiB in all; TestHistoryIsBounded checks it).
const (
	fineSize   = 360  // 1 h of 10 s points
	coarseStep = 300  // 5 min, in seconds
	coarseSize = 2016 // 7 days of 5 min points
	keepFor    = 7 * 24 * time.Hour
)

// history keeps every app's points.
type history struct {
	mu   sync.Mutex
	last time.Time // end of the last interval closed
	apps map[string]*appHistory
	// prev is the reading of each app's counters at the last interval;
	// keyed by the counters, so an app destroyed and made again starts over.
	prev map[*appStats]counts
}

// appHistory is one app's points and the 5-minute point being rolled up.
type appHistory struct {
	fine, coarse ring
	acc          rollup
}

func newHistory(now time.Time) history {
	return history{last: now, apps: map[string]*appHistory{}, prev: map[*appStats]counts{}}
}

// rollup sums the 10 s intervals of one 5-minute window. Its fields are
// exported for encoding/gob.
type rollup struct {
	Window           int64 // start, Unix seconds
	Seconds          float64
	Requests, Errors uint64
	Latency          [len(latencyBounds) + 1]uint64
	CPUPercent       float64 // sums over N intervals
	MemoryB          float64
	N                int
}

// closeInterval ends the interval that started at the last call: every
// app with request counters or containers gets a point.
func (m *Metrics) closeInterval(now time.Time) {
	m.hist.close(now, *m.apps.Load(), m.samples.byApp())
}

// close adds the points of the interval that ends at now.
func (h *history) close(now time.Time, apps map[string]*appStats, use map[string]usage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	secs := now.Sub(h.last).Seconds()
	if secs <= 0 {
		return // the clock went back: wait until it passes the last point
	}
	h.last = now
	prev := h.prev
	h.prev = make(map[*appStats]counts, len(apps))
	for app, s := range apps {
		cur := s.read()
		h.prev[s] = cur
		if app != "" {
			h.add(app, now.Unix(), secs, cur.sub(prev[s]), use[app])
		}
	}
	for app, u := range use {
		if apps[app] == nil {
			h.add(app, now.Unix(), secs, counts{}, u)
		}
	}
}

// add records app's interval of secs ending at t.
func (h *history) add(app string, t int64, secs float64, c counts, u usage) {
	a := h.apps[app]
	if a == nil {
		a = &appHistory{}
		h.apps[app] = a
	}
	a.fine.push(point{
		T: t, Requests: float32(float64(c.requests) / secs), Errors: float32(float64(c.errors) / secs),
		P50: float32(percentile(&c.latency, 0.50)), P95: float32(percentile(&c.latency, 0.95)),
		CPUPercent: float32(u.cpuPercent), MemoryB: float32(u.memoryBytes),
	}, fineSize)
	a.roll(t, secs, c, u)
}

// roll adds the interval ending at t to its 5-minute window, first
// turning the previous window into a point when t is past it.
func (a *appHistory) roll(t int64, secs float64, c counts, u usage) {
	w := windowOf(t)
	if a.acc.N > 0 && a.acc.Window != w {
		a.coarse.push(a.acc.point(), coarseSize)
		a.acc = rollup{}
	}
	a.acc.Window = w
	a.acc.Seconds += secs
	a.acc.Requests += c.requests
	a.acc.Errors += c.errors
	for i, n := range c.latency {
		a.acc.Latency[i] += n
	}
	a.acc.CPUPercent += u.cpuPercent
	a.acc.MemoryB += u.memoryBytes
	a.acc.N++
}

// windowOf returns the start of the 5-minute window an interval ending at
// t belongs to: one ending exactly on a boundary closes the window before.
func windowOf(t int64) int64 {
	return (t - 1) / coarseStep * coarseStep
}

// point returns the window's point, at its end.
func (r *rollup) point() point {
	n := float64(max(r.N, 1))
	return point{
		T:        r.Window + coarseStep,
		Requests: float32(float64(r.Requests) / r.Seconds), Errors: float32(float64(r.Errors) / r.Seconds),
		P50: float32(percentile(&r.Latency, 0.50)), P95: float32(percentile(&r.Latency, 0.95)),
		CPUPercent: float32(r.CPUPercent / n), MemoryB: float32(r.MemoryB / n),
	}
}

// AppSeries returns app's points over the last span, oldest first:
// 10-second points for spans up to an hour, 5-minute points beyond (up to
// 7 days; the 5 minutes under way are not in them yet). It returns nil
// for an app without history or a span <= 0.
func (m *Metrics) AppSeries(app string, span time.Duration) []Point {
	return m.hist.series(app, span, m.now())
}

func (h *history) series(app string, span time.Duration, now time.Time) []Point {
	if span <= 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	a := h.apps[app]
	if a == nil {
		return nil
	}
	r := &a.fine
	if span > time.Hour {
		r, span = &a.coarse, min(span, keepFor)
	}
	after := now.Add(-span).Unix()
	out := make([]Point, 0, len(r.buf))
	for _, p := range r.points() {
		if p.T > after {
			out = append(out, p.public())
		}
	}
	return out
}

// drop forgets app's history.
func (h *history) drop(app string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.apps, app)
}

// prune forgets the apps without a point in the last week: apps
// destroyed while the daemon was down.
func (h *history) prune(now int64) {
	oldest := now - int64(keepFor/time.Second)
	for app, a := range h.apps {
		if max(a.fine.newest(), a.coarse.newest(), a.acc.Window) < oldest {
			delete(h.apps, app)
		}
	}
}
