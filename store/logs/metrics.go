package logs

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collectors expose the store's counts to Prometheus: lines kept, lines
// dropped (the disk could not keep up or failed), lines followers skipped,
// and followers attached. Each reads Stats when scraped.
func (s *Store) Collectors() []prometheus.Collector {
	counter := func(name, help string, v func(Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v(s.Stats())) })
	}
	return []prometheus.Collector{
		counter("quayside_log_lines_total", "Log lines collected from the apps' containers.",
			func(s Stats) uint64 { return s.Appended }),
		counter("quayside_log_lines_dropped_total", "Log lines not written to disk (queue full or disk failing); followers still got them.",
			func(s Stats) uint64 { return s.Dropped }),
		counter("quayside_log_lines_missed_total", "Log lines followers skipped because they read too slowly.",
			func(s Stats) uint64 { return s.Missed }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quayside_log_followers", Help: "Log followers attached now."},
			func() float64 { return float64(s.Stats().Followers) }),
	}
}
