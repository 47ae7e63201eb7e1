package insights

import (
	"math"
	"sort"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultPeriod        = 30 * Day
	DefaultFailureWindow = 24 * time.Hour
	// MaxSeriesPoints caps the points of a Report's series.
	MaxSeriesPoints = 120
)

// Options say over what period Compute counts and how.
type Options struct {
	// Now ends the period; required.
	Now time.Time
	// Period is how far back the figures look; 0 means DefaultPeriod.
	Period time.Duration
	// FailureWindow is how long after going live a rollback or crash loop
	// makes a release a failed change; 0 means DefaultFailureWindow.
	FailureWindow time.Duration
	// Thresholds set the bands; the zero value means DefaultThresholds.
	Thresholds Thresholds
	// Production tells production releases from others (previews); nil
	// counts every release. Only production releases are counted.
	Production func(Release) bool
}

// Report is the figures over a period, the period before it, the trend
// between them, and the figures of each day (each week for periods over 31
// days) of the period.
type Report struct {
	Period        Seconds   `json:"period_seconds"`
	FailureWindow Seconds   `json:"failure_window_seconds"`
	Current       Figures   `json:"current"`
	Previous      Figures   `json:"previous"`
	Trend         Trend     `json:"trend"`
	Series        []Figures `json:"series"`
}

// Compute counts the figures of h as opts say.
func Compute(h History, opts Options) Report {
	opts = opts.withDefaults()
	a := analyze(production(h, opts.Production), opts.FailureWindow)
	from := opts.Now.Add(-opts.Period)
	rep := Report{
		Period:        Seconds(opts.Period),
		FailureWindow: Seconds(opts.FailureWindow),
		Current:       a.figures(from, opts.Now, opts.Thresholds),
		Previous:      a.figures(from.Add(-opts.Period), from, opts.Thresholds),
	}
	rep.Trend = trendOf(rep.Current, rep.Previous)
	step := seriesStep(opts.Period)
	for t := from; t.Before(opts.Now) && len(rep.Series) < MaxSeriesPoints; t = t.Add(step) {
		end := t.Add(step)
		if end.After(opts.Now) {
			end = opts.Now
		}
		rep.Series = append(rep.Series, a.figures(t, end, opts.Thresholds))
	}
	return rep
}

func (o Options) withDefaults() Options {
	if o.Period <= 0 {
		o.Period = DefaultPeriod
	}
	if o.FailureWindow <= 0 {
		o.FailureWindow = DefaultFailureWindow
	}
	if o.Thresholds == (Thresholds{}) {
		o.Thresholds = DefaultThresholds()
	}
	return o
}

// seriesStep is a day for periods up to 31 days, a week beyond.
func seriesStep(period time.Duration) time.Duration {
	if period <= 31*Day {
		return Day
	}
	return 7 * Day
}

// production keeps the releases keep accepts, and their incidents.
func production(h History, keep func(Release) bool) History {
	if keep == nil {
		return h
	}
	out := History{Incidents: h.Incidents}
	for _, r := range h.Releases {
		if keep(r) {
			out.Releases = append(out.Releases, r)
		}
	}
	return out
}

// figures counts the four figures over [from, to).
func (a *analysis) figures(from, to time.Time, t Thresholds) Figures {
	return Figures{
		From: from, To: to,
		Frequency: a.frequency(from, to, t),
		LeadTime:  a.leadTime(from, to, t),
		Failure:   a.changeFailure(from, to, t),
		Recovery:  a.recovery(from, to, t),
	}
}

func (a *analysis) frequency(from, to time.Time, t Thresholds) Frequency {
	var f Frequency
	days := map[string]bool{}
	lo, hi := span(len(a.releases), func(i int) time.Time { return finishKey(a.releases[i]) }, from, to)
	for i := lo; i < hi; i++ {
		r := a.releases[i]
		if !r.Live {
			continue
		}
		f.Deploys++
		switch r.Kind {
		case KindDeploy:
			f.Pushes++
		case KindConfig:
			f.Config++
		case KindRollback:
			f.Rollbacks++
		}
		days[r.Finished.UTC().Format(time.DateOnly)] = true
	}
	n := to.Sub(from).Hours() / 24
	if n > 0 {
		f.PerDay = float64(f.Deploys) / n
		f.PerWeek = f.PerDay * 7
		f.DeployDaysPerWeek = float64(len(days)) / n * 7
	}
	f.Band = t.FrequencyBand(f.PerDay)
	return f
}

func (a *analysis) leadTime(from, to time.Time, t Thresholds) LeadTime {
	var l LeadTime
	var byCommitter, byAuthor []time.Duration
	lo, hi := span(len(a.leads), func(i int) time.Time { return a.leads[i].live }, from, to)
	for _, ld := range a.leads[lo:hi] {
		l.Commits++
		d := ld.live.Sub(ld.commit.Committed)
		if d < 0 {
			l.Skewed++
			d = 0
		}
		byCommitter = append(byCommitter, d)
		byAuthor = append(byAuthor, max(0, ld.live.Sub(ld.commit.Authored)))
	}
	if l.Commits == 0 {
		l.Band = BandNone
		return l
	}
	sortDurations(byCommitter)
	sortDurations(byAuthor)
	l.Median, l.P90 = Seconds(median(byCommitter)), Seconds(p90(byCommitter))
	l.AuthorMedian, l.AuthorP90 = Seconds(median(byAuthor)), Seconds(p90(byAuthor))
	l.Band = durationBand(l.Median.Duration(), t.LeadTime)
	return l
}

func (a *analysis) changeFailure(from, to time.Time, t Thresholds) ChangeFailure {
	var c ChangeFailure
	lo, hi := span(len(a.releases), func(i int) time.Time { return finishKey(a.releases[i]) }, from, to)
	for i := lo; i < hi; i++ {
		r := a.releases[i]
		if !r.isChange() {
			continue
		}
		c.Changes++
		switch {
		case !r.Live:
			c.BeforeLive++
		case a.failedAfter[relKey{r.App, r.Number}]:
			c.AfterLive++
		}
	}
	c.Failed = c.BeforeLive + c.AfterLive
	if c.Changes == 0 {
		c.Band = BandNone
		return c
	}
	c.Rate = float64(c.Failed) / float64(c.Changes)
	c.Band = t.ChangeFailureBand(c.Rate)
	return c
}

func (a *analysis) recovery(from, to time.Time, t Thresholds) Recovery {
	var r Recovery
	var took []time.Duration
	lo, hi := span(len(a.failures), func(i int) time.Time { return a.failures[i].start }, from, to)
	for _, f := range a.failures[lo:hi] {
		r.Failures++
		if f.end.IsZero() {
			r.Open++
			continue
		}
		r.Recovered++
		took = append(took, f.end.Sub(f.start))
	}
	if len(took) == 0 {
		r.Band = BandNone
		return r
	}
	sortDurations(took)
	r.Median, r.P90 = Seconds(median(took)), Seconds(p90(took))
	r.Band = durationBand(r.Median.Duration(), t.Recovery)
	return r
}

// median is the middle value of the sorted ds, the mean of the two middle
// values when their number is even, rounded down to the second; ds must
// not be empty.
func median(s []time.Duration) time.Duration {
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return m.Truncate(time.Second)
}

// p90 is the 90th percentile of the sorted ds by the nearest-rank method:
// the smallest value at least 90% of the values are at or below; ds must
// not be empty.
func p90(s []time.Duration) time.Duration {
	rank := int(math.Ceil(0.9 * float64(len(s))))
	return s[rank-1].Truncate(time.Second)
}

func sortDurations(ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
}
