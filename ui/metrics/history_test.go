package metrics

import (
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRing(t *testing.T) {
	var r ring
	assert.Empty(t, r.points())
	assert.Zero(t, r.newest())
	for i := range 7 {
		r.push(point{T: int64(i)}, 5)
	}
	times := func() []int64 {
		var ts []int64
		for _, p := range r.points() {
			ts = append(ts, p.T)
		}
		return ts
	}
	assert.Equal(t, []int64{2, 3, 4, 5, 6}, times(), "wraps around, oldest first")
	assert.Equal(t, int64(6), r.newest())
	assert.Equal(t, 5, cap(r.buf))

	r = ringOf([]point{{T: 1}, {T: 2}, {T: 3}}, 2)
	assert.Equal(t, []int64{2, 3}, times(), "a saved ring longer than its size keeps its newest points")
}

func TestHistoryPoints(t *testing.T) {
	m, c := newTestMetrics(t, "")
	for range 20 {
		m.ObserveRequest("web", 200, 3*time.Millisecond, 0, 0)
	}
	m.ObserveRequest("web", 502, 400*time.Millisecond, 0, 0)
	m.ObserveRequest("", 404, time.Millisecond, 0, 0) // unrouted: no history
	m.samples.set([]engine.ContainerSample{
		container("web", "web.1", 1, 50, 100<<20, 0),
		container("web", "worker.1", 1, 25, 50<<20, 0),
	}, nil, m.log)
	tick(m, c)

	pts := m.AppSeries("web", time.Hour)
	require.Len(t, pts, 1)
	p := pts[0]
	assert.Equal(t, t0.Add(Resolution), p.Time.UTC())
	assert.InDelta(t, 2.1, p.Requests, 1e-6)
	assert.InDelta(t, 0.1, p.Errors, 1e-6)
	assert.InDelta(t, 0.0025+0.0025*10.5/20, p.LatencyP50, 1e-6, "rank 10.5 of 21, in the (2.5ms, 5ms] bucket")
	assert.InDelta(t, 0.0025+0.0025*19.95/20, p.LatencyP95, 1e-6, "rank 19.95 of 21, still in that bucket")
	assert.InDelta(t, 75, p.CPUPercent, 1e-6)
	assert.InDelta(t, 150<<20, p.MemoryBytes, 1)
	assert.Nil(t, m.AppSeries("", time.Hour))
	assert.Nil(t, m.AppSeries("nobody", time.Hour))
	assert.Nil(t, m.AppSeries("web", 0))

	t.Run("the next interval counts only its own requests", func(t *testing.T) {
		m.ObserveRequest("web", 200, 3*time.Millisecond, 0, 0)
		tick(m, c)
		pts := m.AppSeries("web", time.Hour)
		require.Len(t, pts, 2)
		assert.InDelta(t, 0.1, pts[1].Requests, 1e-6)
		assert.Zero(t, pts[1].Errors)
	})
	t.Run("an idle app gets zero points", func(t *testing.T) {
		m.samples.set(nil, nil, m.log)
		tick(m, c)
		pts := m.AppSeries("web", time.Hour)
		require.Len(t, pts, 3)
		assert.Equal(t, Point{Time: pts[2].Time}, pts[2])
	})
	t.Run("an app with containers and no requests gets points", func(t *testing.T) {
		m.samples.set([]engine.ContainerSample{container("quiet", "web.1", 1, 10, 1<<20, 0)}, nil, m.log)
		tick(m, c)
		pts := m.AppSeries("quiet", time.Hour)
		require.Len(t, pts, 1)
		assert.InDelta(t, 10, pts[0].CPUPercent, 1e-6)
	})
	t.Run("spans cut the points", func(t *testing.T) {
		assert.Len(t, m.AppSeries("web", 2*Resolution), 2)
		assert.Len(t, m.AppSeries("web", time.Second), 1)
	})
}

func TestHistoryRollsUpAndWrapsAround(t *testing.T) {
	m, c := newTestMetrics(t, "")
	m.samples.set([]engine.ContainerSample{container("web", "web.1", 1, 40, 1000, 0)}, nil, m.log)
	// Two 5-minute windows: 10 requests per interval in the first, 20 in
	// the second; then one interval into a third window.
	for i := range 61 {
		n := 10
		if i >= 30 {
			n = 20
		}
		for range n {
			m.ObserveRequest("web", 200, 3*time.Millisecond, 0, 0)
		}
		tick(m, c)
	}
	coarse := m.AppSeries("web", 2*time.Hour)
	require.Len(t, coarse, 2, "the window under way is not a point yet")
	assert.Equal(t, t0.Add(5*time.Minute), coarse[0].Time.UTC())
	assert.Equal(t, t0.Add(10*time.Minute), coarse[1].Time.UTC())
	assert.InDelta(t, 1.0, coarse[0].Requests, 1e-6)
	assert.InDelta(t, 2.0, coarse[1].Requests, 1e-6)
	assert.InDelta(t, 40, coarse[1].CPUPercent, 1e-6, "the average of the window's samples")
	assert.InDelta(t, 1000, coarse[1].MemoryBytes, 1e-6)
	assert.InDelta(t, 0.00375, coarse[1].LatencyP50, 1e-6)

	t.Run("an hour of fine points, oldest dropped", func(t *testing.T) {
		for range fineSize {
			tick(m, c)
		}
		fine := m.AppSeries("web", time.Hour)
		require.Len(t, fine, fineSize)
		assert.Equal(t, c.Now(), fine[len(fine)-1].Time.UTC())
		assert.Equal(t, c.Now().Add(-time.Hour+Resolution), fine[0].Time.UTC())
		for i := 1; i < len(fine); i++ {
			require.Equal(t, Resolution, fine[i].Time.Sub(fine[i-1].Time))
		}
	})
	t.Run("seven days of coarse points, oldest dropped", func(t *testing.T) {
		for range (coarseSize + 10) * 30 {
			tick(m, c)
		}
		coarse := m.AppSeries("web", 30*24*time.Hour)
		require.Len(t, coarse, coarseSize)
		for i := 1; i < len(coarse); i++ {
			require.Equal(t, 5*time.Minute, coarse[i].Time.Sub(coarse[i-1].Time))
		}
		assert.WithinDuration(t, c.Now(), coarse[len(coarse)-1].Time, 5*time.Minute)
	})
}

func TestHistoryIsBounded(t *testing.T) {
	m, c := newTestMetrics(t, "")
	for range (coarseSize + 1) * 30 {
		m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
		tick(m, c)
	}
	a := m.hist.apps["web"]
	require.NotNil(t, a)
	assert.Equal(t, 32, int(unsafe.Sizeof(point{})))
	assert.Equal(t, fineSize, cap(a.fine.buf))
	assert.Equal(t, coarseSize, cap(a.coarse.buf))
	bytes := (cap(a.fine.buf)+cap(a.coarse.buf))*int(unsafe.Sizeof(point{})) + int(unsafe.Sizeof(*a))
	assert.Less(t, bytes, 77*1024, "an app's history stays under 77 KiB")
}

func TestHistoryIgnoresAClockGoingBack(t *testing.T) {
	m, c := newTestMetrics(t, "")
	m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
	tick(m, c)
	m.closeInterval(c.Add(-time.Minute))
	assert.Len(t, m.AppSeries("web", time.Hour), 1)
}

func TestWindowOf(t *testing.T) {
	base := t0.Unix()
	for _, tc := range []struct {
		end, want int64
	}{
		{base + 10, base}, {base + 299, base}, {base + 300, base}, {base + 301, base + 300},
	} {
		assert.Equal(t, tc.want, windowOf(tc.end), "end %d", tc.end-base)
	}
}
