package insights

import (
	"sort"
	"time"
)

// analysis holds what Compute derives once from a history and then counts
// over any period.
type analysis struct {
	// releases are in the order they finished, unfinished last.
	releases []*Release
	// failures are failures after going live, one per failed release.
	failures []failure
	// failedAfter marks releases (by key) with a failure after going live.
	failedAfter map[relKey]bool
	// leads are the commits that reached production, each once.
	leads []lead
}

type relKey struct {
	app    string
	number int
}

// failure is a release that, after going live, was rolled back or
// crash-looped within the failure window.
type failure struct {
	release relKey
	change  bool
	start   time.Time
	// end is when the next release served; zero while none has.
	end time.Time
}

// lead is one commit and the time the first release that carried it went
// live.
type lead struct {
	commit Commit
	live   time.Time
}

// analyze derives failures and lead times from h. window is how long after
// going live a rollback or crash loop makes a release a failed change.
func analyze(h History, window time.Duration) *analysis {
	a := &analysis{failedAfter: map[relKey]bool{}}
	for i := range h.Releases {
		a.releases = append(a.releases, &h.Releases[i])
	}
	loops := map[relKey][]time.Time{}
	for _, in := range h.Incidents {
		k := relKey{in.App, in.Release}
		loops[k] = append(loops[k], in.At)
	}
	for _, rels := range byApp(h.Releases) {
		for i := range rels {
			if f, ok := failureOf(rels, i, loops, window); ok {
				a.failures = append(a.failures, f)
				a.failedAfter[f.release] = true
			}
		}
	}
	a.leads = leadsOf(h.Releases)
	a.sortByTime()
	return a
}

// sortByTime orders releases by when they finished (unfinished last),
// leads by when they went live and failures by when they started, so that
// a period is a range found by binary search.
func (a *analysis) sortByTime() {
	sort.SliceStable(a.releases, func(i, j int) bool { return finishKey(a.releases[i]).Before(finishKey(a.releases[j])) })
	sort.Slice(a.leads, func(i, j int) bool { return a.leads[i].live.Before(a.leads[j].live) })
	sort.Slice(a.failures, func(i, j int) bool { return a.failures[i].start.Before(a.failures[j].start) })
}

// never sorts after every real time: releases still in progress.
var never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func finishKey(r *Release) time.Time {
	if r.Finished.IsZero() {
		return never
	}
	return r.Finished
}

// span returns the indices [lo, hi) of the n sorted items whose time (by
// at) is within [from, to).
func span(n int, at func(int) time.Time, from, to time.Time) (int, int) {
	lo := sort.Search(n, func(i int) bool { return !at(i).Before(from) })
	hi := sort.Search(n, func(i int) bool { return !at(i).Before(to) })
	return lo, hi
}

// byApp groups releases per app, each group in release number order.
func byApp(rels []Release) map[string][]Release {
	m := map[string][]Release{}
	for _, r := range rels {
		m[r.App] = append(m[r.App], r)
	}
	for _, g := range m {
		sort.Slice(g, func(i, j int) bool { return g[i].Number < g[j].Number })
	}
	return m
}

// failureOf reports whether rels[i] failed after going live: a rollback was
// asked for while it served, or it crash-looped, within window of going
// live. The failure starts at the first such sign and ends when the next
// release went live.
func failureOf(rels []Release, i int, loops map[relKey][]time.Time, window time.Duration) (failure, bool) {
	r := rels[i]
	if !r.Live || r.Finished.IsZero() {
		return failure{}, false
	}
	k := relKey{r.App, r.Number}
	limit := r.Finished.Add(window)
	var start time.Time
	for _, at := range loops[k] {
		if !at.Before(r.Finished) && !at.After(limit) && (start.IsZero() || at.Before(start)) {
			start = at
		}
	}
	for _, n := range rels[i+1:] {
		if n.Kind == KindRollback && !n.Created.Before(r.Finished) && !n.Created.After(limit) && (start.IsZero() || n.Created.Before(start)) {
			start = n.Created
		}
		if n.Live {
			break
		}
	}
	if start.IsZero() {
		return failure{}, false
	}
	return failure{release: k, change: r.isChange(), start: start, end: nextLive(rels[i+1:], start)}, true
}

// nextLive is when the first of rels to go live at or after start did so;
// zero if none has.
func nextLive(rels []Release, start time.Time) time.Time {
	for _, n := range rels {
		if n.Live && !n.Finished.IsZero() && !n.Finished.Before(start) {
			return n.Finished
		}
	}
	return time.Time{}
}

// leadsOf pairs each commit with the first live release that carried it,
// so a commit brought again (after a force push or a rollback) counts once.
func leadsOf(rels []Release) []lead {
	n := 0
	for i := range rels {
		n += len(rels[i].Commits)
	}
	first := make(map[string]lead, n)
	for i := range rels {
		r := &rels[i]
		if !r.Live || r.Kind != KindDeploy || r.Finished.IsZero() {
			continue
		}
		for _, c := range r.Commits {
			if l, ok := first[c.SHA]; !ok || r.Finished.Before(l.live) {
				first[c.SHA] = lead{commit: c, live: r.Finished}
			}
		}
	}
	out := make([]lead, 0, len(first))
	for _, l := range first {
		out = append(out, l)
	}
	return out
}
