package insights

import (
	"fmt"
	"testing"
	"time"
)

// bigHistory is 200 apps with a deploy every 3 hours for 180 days (1,440
// releases each, every tenth rolled back), 3 commits a push.
func bigHistory() History {
	var h History
	start := now.Add(-180 * Day)
	for a := range 200 {
		app := fmt.Sprintf("app-%03d", a)
		n := 0
		for t := start; t.Before(now); t = t.Add(3 * time.Hour) {
			n++
			r := Release{App: app, Number: n, Kind: KindDeploy, Created: t, Finished: t.Add(2 * time.Minute), Live: true}
			for c := range 3 {
				sha := fmt.Sprintf("%s-%d-%d", app, n, c)
				r.Commits = append(r.Commits, Commit{SHA: sha, Committed: t.Add(-time.Duration(c+1) * time.Hour), Authored: t.Add(-Day)})
			}
			h.Releases = append(h.Releases, r)
			if n%10 == 0 {
				n++
				h.Releases = append(h.Releases, Release{App: app, Number: n, Kind: KindRollback, Created: t.Add(time.Hour), Finished: t.Add(time.Hour + time.Minute), Live: true})
			}
		}
	}
	return h
}

// BenchmarkCompute90Days is the team figures of 200 busy apps over 90 days.
func BenchmarkCompute90Days(b *testing.B) {
	h := bigHistory()
	b.ReportMetric(float64(len(h.Releases)), "releases")
	b.ResetTimer()
	for b.Loop() {
		Compute(h, Options{Now: now, Period: 90 * Day})
	}
}
