package engine

import (
	"context"
	"sort"
	"time"

	"github.com/quayside/quayside/engine/insights"
)

// Limits of the period the delivery figures look back over.
const (
	MinInsightsPeriod = insights.Day
	MaxInsightsPeriod = 365 * insights.Day
)

// InsightsSettings are the server's choices for the delivery figures.
type InsightsSettings struct {
	// Thresholds set the performance bands; zero means the 2023 report's.
	Thresholds insights.Thresholds
	// FailureWindow is how long after going live a rollback or crash loop
	// makes a change failed; zero means 24 hours.
	FailureWindow time.Duration
}

// AppInsights are the delivery figures of one app.
type AppInsights struct {
	App    string          `json:"app"`
	Report insights.Report `json:"report"`
}

// TeamInsights are the figures over every app the caller may see, and of
// each of those apps.
type TeamInsights struct {
	// Apps are the apps the team figures count, by name.
	Apps   []string        `json:"apps"`
	Team   insights.Report `json:"team"`
	PerApp []AppInsights   `json:"per_app"`
}

// Insights computes the delivery figures over period (ending now) for app,
// or for every app the caller may see when app is "". Only production
// releases count.
func (e *Engine) Insights(ctx context.Context, app string, period time.Duration) (*TeamInsights, error) {
	if err := checkInsightsPeriod(period); err != nil {
		return nil, err
	}
	apps, err := e.insightsApps(ctx, app)
	if err != nil {
		return nil, err
	}
	now := e.now()
	facts, err := e.cfg.Store.ReleaseFacts(ctx, now.Add(-2*period-e.failureWindow()-insights.Day))
	if err != nil {
		return nil, err
	}
	hist := historyOf(facts, apps)
	opts := insights.Options{
		Now: now, Period: period, FailureWindow: e.failureWindow(), Thresholds: e.cfg.Insights.Thresholds,
	}
	out := &TeamInsights{Apps: apps, Team: insights.Compute(mergeHistory(hist), opts)}
	for _, name := range apps {
		out.PerApp = append(out.PerApp, AppInsights{App: name, Report: insights.Compute(hist[name], opts)})
	}
	return out, nil
}

func (e *Engine) failureWindow() time.Duration {
	if e.cfg.Insights.FailureWindow > 0 {
		return e.cfg.Insights.FailureWindow
	}
	return insights.DefaultFailureWindow
}

// checkInsightsPeriod refuses periods outside one day to a year.
func checkInsightsPeriod(period time.Duration) error {
	if period < MinInsightsPeriod || period > MaxInsightsPeriod {
		return FieldError("since", "the period must be between 1 day and 365 days (for example 7d, 30d or 90d), not %s", period)
	}
	return nil
}

// insightsApps are the apps whose figures the caller may see: app alone
// (ENOTFOUND or EFORBIDDEN if they may not) or every visible app, preview
// environments left out.
func (e *Engine) insightsApps(ctx context.Context, app string) ([]string, error) {
	if app != "" {
		a, err := e.FindApp(ctx, app)
		if err != nil {
			return nil, err
		}
		if isPreviewApp(a.Name) {
			return nil, Errorf(EINVALID, "%s is a preview environment: the delivery figures count production releases only; ask for the app it previews", a.Name)
		}
		return []string{a.Name}, nil
	}
	all, err := e.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(all))
	for _, a := range all {
		if !isPreviewApp(a.Name) {
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// historyOf turns the store's facts into each named app's history of
// production releases; other apps' facts are dropped.
func historyOf(facts []*ReleaseFacts, apps []string) map[string]insights.History {
	out := make(map[string]insights.History, len(apps))
	for _, a := range apps {
		out[a] = insights.History{}
	}
	for _, f := range facts {
		h, ok := out[f.Release.App]
		if !ok || !isProduction(&f.Release) {
			continue
		}
		h.Releases = append(h.Releases, factRelease(f))
		for _, in := range f.Incidents {
			h.Incidents = append(h.Incidents, insights.Incident{App: f.Release.App, Release: f.Release.Number, Kind: in.Kind, At: in.At})
		}
		out[f.Release.App] = h
	}
	return out
}

func factRelease(f *ReleaseFacts) insights.Release {
	r := &f.Release
	ir := insights.Release{
		App: r.App, Number: r.Number, Kind: r.Kind, Created: r.CreatedAt,
		Live: r.Succeeded(), Finished: r.FinishedAt,
	}
	if !ir.Live && r.Status != ReleaseFailed {
		ir.Finished = time.Time{} // still building or deploying
	}
	for _, c := range f.Commits {
		ir.Commits = append(ir.Commits, insights.Commit{SHA: c.SHA, Committed: c.Committed, Authored: c.Authored})
	}
	return ir
}

// mergeHistory is the union of the histories.
func mergeHistory(hs map[string]insights.History) insights.History {
	var all insights.History
	for _, h := range hs {
		all.Releases = append(all.Releases, h.Releases...)
		all.Incidents = append(all.Incidents, h.Incidents...)
	}
	return all
}
