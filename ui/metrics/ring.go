package metrics

import "time"

// point is one history point as kept: 32 bytes (float32 is plenty for a
// chart). T is the end of its interval in Unix seconds. Its fields are
// exported for encoding/gob.
type point struct {
	T                   int64
	Requests, Errors    float32 // per second
	P50, P95            float32 // seconds
	CPUPercent, MemoryB float32
}

// public returns p as a Point.
func (p point) public() Point {
	return Point{
		Time: time.Unix(p.T, 0), Requests: float64(p.Requests), Errors: float64(p.Errors),
		LatencyP50: float64(p.P50), LatencyP95: float64(p.P95),
		CPUPercent: float64(p.CPUPercent), MemoryBytes: float64(p.MemoryB),
	}
}

// ring keeps the last size points pushed: it grows up to size, then
// overwrites its oldest point. Its capacity never exceeds size.
type ring struct {
	buf   []point
	start int // index of the oldest point once full
}

// push adds p as the newest point of a ring of size points.
func (r *ring) push(p point, size int) {
	if len(r.buf) < size {
		if len(r.buf) == cap(r.buf) {
			grown := make([]point, len(r.buf), min(max(2*cap(r.buf), 32), size))
			copy(grown, r.buf)
			r.buf = grown
		}
		r.buf = append(r.buf, p)
		return
	}
	r.buf[r.start] = p
	r.start = (r.start + 1) % size
}

// points returns a copy of the points, oldest first.
func (r *ring) points() []point {
	out := make([]point, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}

// newest returns the newest point's time, 0 when empty.
func (r *ring) newest() int64 {
	if len(r.buf) == 0 {
		return 0
	}
	return r.buf[(r.start+len(r.buf)-1)%len(r.buf)].T
}

// ringOf returns a ring of size holding the newest size of pts, which are
// oldest first.
func ringOf(pts []point, size int) ring {
	pts = pts[max(0, len(pts)-size):]
	return ring{buf: append(make([]point, 0, len(pts)), pts...)}
}
