package logs

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// gather returns the value of each metric reg holds, by name.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			out[mf.GetName()] = c.GetValue()
		} else {
			out[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestCollectors(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collectors()...)
	appendN(s, "shop", 1, 3)
	flush(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := s.Follow(ctx, engine.LogQuery{App: "shop"})
	require.NoError(t, err)

	assert.Equal(t, map[string]float64{
		"quayside_log_lines_total":         3,
		"quayside_log_lines_dropped_total": 0,
		"quayside_log_lines_missed_total":  0,
		"quayside_log_followers":           1,
	}, gather(t, reg))
}
