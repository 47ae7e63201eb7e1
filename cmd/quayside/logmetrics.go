package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/quayside/quayside/store/logs"
)

// logCollectors expose the log store's counts to Prometheus: lines kept,
// lines dropped (the disk could not keep up or failed), lines followers
// skipped, and followers attached.
func logCollectors(l *logs.Store) []prometheus.Collector {
	counter := func(name, help string, v func(logs.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v(l.Stats())) })
	}
	return []prometheus.Collector{
		counter("quayside_log_lines_total", "Log lines collected from the apps' containers.",
			func(s logs.Stats) uint64 { return s.Appended }),
		counter("quayside_log_lines_dropped_total", "Log lines not written to disk (queue full or disk failing); followers still got them.",
			func(s logs.Stats) uint64 { return s.Dropped }),
		counter("quayside_log_lines_missed_total", "Log lines followers skipped because they read too slowly.",
			func(s logs.Stats) uint64 { return s.Missed }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quayside_log_followers", Help: "Log followers attached now."},
			func() float64 { return float64(l.Stats().Followers) }),
	}
}
