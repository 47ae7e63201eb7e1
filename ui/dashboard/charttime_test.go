package dashboard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTimeTicks(t *testing.T) {
	to := time.Date(2026, 12, 5, 14, 7, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		span time.Duration
		want []string
	}{
		"1h: round times":              {time.Hour, []string{"13:10", "13:20", "13:30", "13:40", "13:50", "14:00"}},
		"6h: hours":                    {6 * time.Hour, []string{"09:00", "10:00", "11:00", "12:00", "13:00"}},
		"24h: midnight shows its date": {24 * time.Hour, []string{"18:00", "21:00", "Dec 5", "03:00", "06:00", "09:00", "12:00"}},
		"7d: a date a day":             {7 * 24 * time.Hour, []string{"Nov 29", "Nov 30", "Dec 1", "Dec 2", "Dec 3", "Dec 4", "Dec 5"}},
	} {
		t.Run(name, func(t *testing.T) {
			ticks := timeTicks(to.Add(-tc.span), to, chartW)
			var labels []string
			seen := map[string]bool{}
			end := -1e9
			for _, tk := range ticks {
				labels = append(labels, tk.Label)
				assert.False(t, seen[tk.Label], "label %q repeated", tk.Label)
				seen[tk.Label] = true
				s, e := tickExtent(tk)
				assert.GreaterOrEqual(t, s, 0.0, "%q starts inside the chart", tk.Label)
				assert.LessOrEqual(t, e, float64(chartW), "%q ends inside the chart", tk.Label)
				assert.Greater(t, s, end, "%q does not overlap the one before", tk.Label)
				end = e
			}
			assert.Equal(t, tc.want, labels)
		})
	}
	assert.Nil(t, timeTicks(to, to, chartW), "an empty span has no labels")
	narrow := timeTicks(to.Add(-7*24*time.Hour), to, 150)
	assert.LessOrEqual(t, len(narrow), 3, "a narrow chart gets fewer labels")
}
