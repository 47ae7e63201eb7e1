package metrics

import "time"

// Point is an app's figures over one interval of its history.
type Point struct {
	// Time is the end of the interval.
	Time time.Time
	// Requests and Errors (5xx answers) are per second over the interval.
	Requests float64
	Errors   float64
	// LatencyP50 and LatencyP95 are in seconds; 0 without requests.
	LatencyP50 float64
	LatencyP95 float64
	// CPUPercent is summed over the app's containers (100 = one CPU busy);
	// MemoryBytes likewise.
	CPUPercent  float64
	MemoryBytes float64
}

// Series gives an app's history for charts.
type Series interface {
	// AppSeries returns the app's points over the last span, oldest
	// first: 10-second points for spans up to an hour, 5-minute points
	// beyond (up to 7 days).
	AppSeries(app string, span time.Duration) []Point
}
