package metrics

import "time"

// latencyBounds are the upper bounds of the request latency buckets, both
// of the Prometheus histogram and of the history's percentiles: fine below
// 100 ms, where apps on the same host answer, coarse up to 10 s.
var latencyBounds = [...]time.Duration{
	1 * time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	1 * time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// latencyBucket returns the index of the first bucket whose bound d does
// not exceed; len(latencyBounds) for the overflow bucket.
func latencyBucket(d time.Duration) int {
	for i, b := range latencyBounds {
		if d <= b {
			return i
		}
	}
	return len(latencyBounds)
}

// percentile estimates the q-quantile (0 < q < 1) in seconds of the
// latencies counted in buckets, interpolating linearly inside the bucket
// it falls in, as Prometheus's histogram_quantile does: a quantile in the
// overflow bucket is the highest bound. It returns 0 without counts.
func percentile(buckets *[len(latencyBounds) + 1]uint64, q float64) float64 {
	var total uint64
	for _, n := range buckets {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var below uint64
	for i, n := range buckets {
		if n == 0 || float64(below+n) < rank {
			below += n
			continue
		}
		if i == len(latencyBounds) {
			break
		}
		lo := 0.0
		if i > 0 {
			lo = latencyBounds[i-1].Seconds()
		}
		hi := latencyBounds[i].Seconds()
		return lo + (hi-lo)*(rank-float64(below))/float64(n)
	}
	return latencyBounds[len(latencyBounds)-1].Seconds()
}
