package insights

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// now ends every test period: 30 days from 2026-03-01.
var now = at("2026-03-31T00:00:00Z")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func commit(sha, committed string) Commit {
	return Commit{SHA: sha, Committed: at(committed), Authored: at(committed)}
}

func live(app string, n int, kind, created, finished string, commits ...Commit) Release {
	return Release{App: app, Number: n, Kind: kind, Created: at(created), Finished: at(finished), Live: true, Commits: commits}
}

func failed(app string, n int, kind, created, finished string, commits ...Commit) Release {
	r := live(app, n, kind, created, finished, commits...)
	r.Live = false
	return r
}

// history is a month of one busy app (shop) and a previous month of a
// quiet one (blog), with a preview app that must not count.
func history() History {
	c1 := commit("c1", "2026-03-01T10:05:00Z")
	c1.Authored = at("2026-02-28T10:05:00Z")
	c2 := commit("c2", "2026-03-03T08:00:00Z")
	c3 := commit("c3", "2026-03-03T09:30:00Z")
	return History{
		Releases: []Release{
			live("shop", 1, KindDeploy, "2026-03-02T10:00:00Z", "2026-03-02T10:05:00Z", c1),
			failed("shop", 2, KindDeploy, "2026-03-03T09:00:00Z", "2026-03-03T09:02:00Z", c2),
			// v3 brings c2 again (v2 never served), and a merge.
			live("shop", 3, KindDeploy, "2026-03-03T10:00:00Z", "2026-03-03T10:10:00Z",
				commit("m1", "2026-03-03T09:45:00Z"), c3, c2),
			live("shop", 4, KindConfig, "2026-03-04T12:00:00Z", "2026-03-04T12:01:00Z"),
			// v5 crash-loops an hour after going live; v6 fixes it.
			live("shop", 5, KindDeploy, "2026-03-05T12:00:00Z", "2026-03-05T12:05:00Z", commit("c4", "2026-03-05T11:05:00Z")),
			live("shop", 6, KindDeploy, "2026-03-05T14:00:00Z", "2026-03-05T14:05:00Z", commit("c5", "2026-03-05T13:35:00Z")),
			// v7 is a force push bringing c3 again, and a commit dated
			// after it went live (clock skew); it is rolled back.
			live("shop", 7, KindDeploy, "2026-03-10T10:00:00Z", "2026-03-10T10:05:00Z", commit("c6", "2026-03-10T10:30:00Z"), c3),
			live("shop", 8, KindRollback, "2026-03-10T11:05:00Z", "2026-03-10T11:06:00Z"),
			// v9 crash-loops two days later: outside the failure window.
			live("shop", 9, KindDeploy, "2026-03-20T10:00:00Z", "2026-03-20T10:05:00Z", commit("c7", "2026-03-20T09:05:00Z")),
			// v10 is still building.
			{App: "shop", Number: 10, Kind: KindDeploy, Created: at("2026-03-30T23:00:00Z")},
			live("blog", 1, KindDeploy, "2026-02-15T11:00:00Z", "2026-02-15T12:00:00Z", commit("b1", "2026-02-10T12:00:00Z")),
			failed("blog", 2, KindDeploy, "2026-02-16T11:00:00Z", "2026-02-16T11:01:00Z"),
			live("pr-shop-7", 1, KindDeploy, "2026-03-15T10:00:00Z", "2026-03-15T10:05:00Z", commit("p1", "2026-03-15T09:00:00Z")),
		},
		Incidents: []Incident{
			{App: "shop", Release: 5, Kind: IncidentCrashLoop, At: at("2026-03-05T13:05:00Z")},
			{App: "shop", Release: 9, Kind: IncidentCrashLoop, At: at("2026-03-22T10:06:00Z")},
			{App: "pr-shop-7", Release: 1, Kind: IncidentCrashLoop, At: at("2026-03-15T10:06:00Z")},
		},
	}
}

func notPreview(r Release) bool { return !strings.HasPrefix(r.App, "pr-") }

func approx(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestComputeTeamMonth(t *testing.T) {
	rep := Compute(history(), Options{Now: now, Production: notPreview})
	cur := rep.Current
	if !cur.From.Equal(at("2026-03-01T00:00:00Z")) || !cur.To.Equal(now) {
		t.Fatalf("period = %s..%s", cur.From, cur.To)
	}
	f := cur.Frequency
	if f.Deploys != 8 || f.Pushes != 6 || f.Config != 1 || f.Rollbacks != 1 {
		t.Errorf("frequency counts = %+v, want 8 deploys: 6 pushes, 1 config, 1 rollback", f)
	}
	approx(t, "per day", f.PerDay, 8.0/30)
	approx(t, "per week", f.PerWeek, 8.0/30*7)
	approx(t, "deploy days per week", f.DeployDaysPerWeek, 6.0/30*7)
	if f.Band != BandHigh {
		t.Errorf("frequency band = %s, want high", f.Band)
	}

	l := cur.LeadTime
	// 0 (skewed c6), 25m, 30m, 40m, 1h, 1h, 2h10m, 24h: c3 counts once.
	if l.Commits != 8 || l.Skewed != 1 {
		t.Errorf("lead commits = %d skewed = %d, want 8 and 1", l.Commits, l.Skewed)
	}
	if l.Median.Duration() != 50*time.Minute || l.P90.Duration() != 24*time.Hour {
		t.Errorf("lead median/p90 = %s/%s, want 50m/24h", l.Median.Duration(), l.P90.Duration())
	}
	if l.AuthorMedian.Duration() != 50*time.Minute || l.AuthorP90.Duration() != 48*time.Hour {
		t.Errorf("author lead median/p90 = %s/%s, want 50m/48h", l.AuthorMedian.Duration(), l.AuthorP90.Duration())
	}
	if l.Band != BandElite {
		t.Errorf("lead band = %s, want elite", l.Band)
	}

	c := cur.Failure
	if c.Changes != 8 || c.BeforeLive != 1 || c.AfterLive != 2 || c.Failed != 3 {
		t.Errorf("change failure = %+v, want 8 changes, 1 before live (v2), 2 after (v5 crash loop, v7 rolled back)", c)
	}
	approx(t, "failure rate", c.Rate, 3.0/8)
	if c.Band != BandLow {
		t.Errorf("failure band = %s, want low", c.Band)
	}

	r := cur.Recovery
	// v7: rollback asked 11:05, served 11:06; v5: loop 13:05, v6 served 14:05.
	if r.Failures != 2 || r.Recovered != 2 || r.Open != 0 {
		t.Errorf("recovery counts = %+v", r)
	}
	if r.Median.Duration() != 30*time.Minute+30*time.Second || r.P90.Duration() != time.Hour {
		t.Errorf("recovery median/p90 = %s/%s, want 30m30s/1h", r.Median.Duration(), r.P90.Duration())
	}
	if r.Band != BandElite {
		t.Errorf("recovery band = %s, want elite", r.Band)
	}

	want := Trend{Frequency: TrendBetter, LeadTime: TrendBetter, ChangeFailure: TrendBetter, Recovery: TrendNone}
	if rep.Trend != want {
		t.Errorf("trend = %+v, want %+v", rep.Trend, want)
	}
}

func TestComputePreviousPeriod(t *testing.T) {
	prev := Compute(history(), Options{Now: now, Production: notPreview}).Previous
	if !prev.From.Equal(at("2026-01-30T00:00:00Z")) {
		t.Errorf("previous starts %s", prev.From)
	}
	if prev.Frequency.Deploys != 1 || prev.LeadTime.Median.Duration() != 5*Day || prev.Failure.Changes != 2 || prev.Failure.BeforeLive != 1 {
		t.Errorf("previous = %+v", prev)
	}
	if prev.LeadTime.Band != BandHigh || prev.Failure.Band != BandLow || prev.Recovery.Band != BandNone {
		t.Errorf("previous bands = %s %s %s", prev.LeadTime.Band, prev.Failure.Band, prev.Recovery.Band)
	}
}

func TestComputeCountsPreviewsOnlyWithoutPredicate(t *testing.T) {
	rep := Compute(history(), Options{Now: now})
	if rep.Current.Frequency.Deploys != 9 || rep.Current.Recovery.Failures != 3 || rep.Current.Recovery.Open != 1 {
		t.Errorf("without a predicate every release counts: %+v %+v", rep.Current.Frequency, rep.Current.Recovery)
	}
}

func TestComputeSeries(t *testing.T) {
	rep := Compute(history(), Options{Now: now, Production: notPreview})
	if len(rep.Series) != 30 {
		t.Fatalf("series has %d points, want 30 days", len(rep.Series))
	}
	d := rep.Series[4] // 2026-03-05
	if !d.From.Equal(at("2026-03-05T00:00:00Z")) || d.Frequency.Deploys != 2 || d.Failure.AfterLive != 1 || d.Recovery.Median.Duration() != time.Hour {
		t.Errorf("day 5 = %+v", d)
	}
	var sum int
	for _, p := range rep.Series {
		sum += p.Frequency.Deploys
	}
	if sum != rep.Current.Frequency.Deploys {
		t.Errorf("series deploys sum to %d, period has %d", sum, rep.Current.Frequency.Deploys)
	}
	quarter := Compute(history(), Options{Now: now, Period: 90 * Day})
	if len(quarter.Series) != 13 || quarter.Series[12].To != now {
		t.Errorf("90 days: %d weekly points, last ends %s", len(quarter.Series), quarter.Series[len(quarter.Series)-1].To)
	}
}

func TestComputeEmpty(t *testing.T) {
	rep := Compute(History{}, Options{Now: now, Period: 7 * Day})
	c := rep.Current
	if c.Frequency.Deploys != 0 || c.Frequency.Band != BandLow {
		t.Errorf("empty frequency = %+v", c.Frequency)
	}
	if c.LeadTime.Band != BandNone || c.Failure.Band != BandNone || c.Recovery.Band != BandNone {
		t.Errorf("empty bands = %s %s %s, want none", c.LeadTime.Band, c.Failure.Band, c.Recovery.Band)
	}
	want := Trend{Frequency: TrendSame, LeadTime: TrendNone, ChangeFailure: TrendNone, Recovery: TrendNone}
	if rep.Trend != want || len(rep.Series) != 7 {
		t.Errorf("trend %+v, %d points", rep.Trend, len(rep.Series))
	}
}

func TestComputeOneDeployThatLoops(t *testing.T) {
	h := History{
		Releases:  []Release{live("api", 1, KindDeploy, "2026-03-30T10:00:00Z", "2026-03-30T10:00:30Z", commit("a", "2026-03-30T09:00:00Z"))},
		Incidents: []Incident{{App: "api", Release: 1, Kind: IncidentCrashLoop, At: at("2026-03-30T10:10:00Z")}},
	}
	c := Compute(h, Options{Now: now, Period: 7 * Day}).Current
	if c.LeadTime.Median.Duration() != time.Hour+30*time.Second || c.LeadTime.P90 != c.LeadTime.Median {
		t.Errorf("lead = %+v", c.LeadTime)
	}
	if c.Failure.Rate != 1 || c.Recovery.Failures != 1 || c.Recovery.Open != 1 || c.Recovery.Band != BandNone {
		t.Errorf("failure %+v recovery %+v: one open failure", c.Failure, c.Recovery)
	}
	approx(t, "per day", c.Frequency.PerDay, 1.0/7)
	if c.Frequency.Band != BandHigh {
		t.Errorf("one deploy a week is high, got %s", c.Frequency.Band)
	}
}

func TestFailedRollbackStillMarksFailure(t *testing.T) {
	h := History{Releases: []Release{
		live("api", 1, KindDeploy, "2026-03-20T10:00:00Z", "2026-03-20T10:01:00Z"),
		live("api", 2, KindDeploy, "2026-03-21T10:00:00Z", "2026-03-21T10:01:00Z"),
		failed("api", 3, KindRollback, "2026-03-21T11:00:00Z", "2026-03-21T11:00:10Z"),
		live("api", 4, KindDeploy, "2026-03-21T12:00:00Z", "2026-03-21T12:00:00Z"),
		// a rollback asked for more than a day after v4 went live does not
		// make v4 a failed change.
		live("api", 5, KindRollback, "2026-03-22T12:00:01Z", "2026-03-22T12:00:05Z"),
	}}
	c := Compute(h, Options{Now: now}).Current
	if c.Failure.Changes != 3 || c.Failure.AfterLive != 1 || c.Failure.BeforeLive != 0 {
		t.Errorf("failure = %+v: only v2 failed (a failed rollback is no change)", c.Failure)
	}
	if c.Recovery.Median.Duration() != time.Hour {
		t.Errorf("recovery = %s, want 1h (rollback asked 11:00, v4 served 12:00)", c.Recovery.Median.Duration())
	}
	win := Compute(h, Options{Now: now, FailureWindow: 48 * time.Hour}).Current
	if win.Failure.AfterLive != 2 {
		t.Errorf("with a 48h window v4 fails too: %+v", win.Failure)
	}
}

func TestReportJSONInSeconds(t *testing.T) {
	rep := Compute(history(), Options{Now: now, Production: notPreview})
	b, err := json.Marshal(rep.Current.Recovery)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"median_seconds":1830`) {
		t.Errorf("recovery json = %s", b)
	}
	var back Report
	full, _ := json.Marshal(rep)
	if err := json.Unmarshal(full, &back); err != nil || back.Current.LeadTime.P90 != rep.Current.LeadTime.P90 {
		t.Errorf("round trip: %v, %v", err, back.Current.LeadTime)
	}
}
