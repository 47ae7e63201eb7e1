package engine

import (
	"context"
	"slices"
	"time"

	"github.com/quayside/quayside/engine/insights"
)

// Health of an app in the catalog.
const (
	HealthHealthy     = "healthy"
	HealthDegraded    = "degraded" // some processes of the current release are not running
	HealthDown        = "down"     // none is running
	HealthNotDeployed = "not deployed"
	HealthUnknown     = "unknown" // the runtime did not answer
)

// CatalogItem is one app as the catalog shows it: its effective catalog
// fields and what the platform knows about it.
type CatalogItem struct {
	App string `json:"app"`
	CatalogFields
	URL            string   `json:"url"`
	Domains        []string `json:"domains"`
	State          string   `json:"state"`
	CurrentRelease int      `json:"current_release"`
	Commit         string   `json:"commit,omitempty"`
	Health         string   `json:"health"`
	// LastDeploy is when the current release went live, and who made it.
	LastDeploy   time.Time        `json:"last_deploy,omitzero"`
	LastDeployBy string           `json:"last_deploy_by,omitempty"`
	Figures      insights.Summary `json:"figures"`
	// Bands are the figures' bands in the order of Figures.
	Bands [4]string `json:"bands"`
	// FileError says why the last catalog-info.yaml was not read.
	FileError string   `json:"file_error,omitempty"`
	Overrides []string `json:"overrides,omitempty"`
}

// CatalogView lists every app the caller may see with its catalog entry,
// state, current release, health and delivery figures over 30 days.
func (e *Engine) CatalogView(ctx context.Context) ([]CatalogItem, error) {
	apps, entries, err := e.CatalogEntries(ctx)
	if err != nil {
		return nil, err
	}
	figures, err := e.Insights(ctx, "", 30*insights.Day)
	if err != nil {
		return nil, err
	}
	reports := map[string]insights.Figures{}
	for _, a := range figures.PerApp {
		reports[a.App] = a.Report.Current
	}
	out := make([]CatalogItem, 0, len(apps))
	for _, a := range apps {
		out = append(out, e.catalogItem(ctx, a, entries[a.Name], reports[a.Name]))
	}
	return out, nil
}

func (e *Engine) catalogItem(ctx context.Context, a *App, c *CatalogEntry, f insights.Figures) CatalogItem {
	it := CatalogItem{
		App: a.Name, CatalogFields: c.Effective(), URL: e.AppURL(a.Name), State: a.State,
		CurrentRelease: a.CurrentRelease, Health: e.health(ctx, a), FileError: c.FileError, Overrides: c.Overrides,
		Figures: insights.Summarize(f), Bands: [4]string{f.Frequency.Band, f.LeadTime.Band, f.Failure.Band, f.Recovery.Band},
	}
	if hosts, err := e.hosts(ctx, a.Name); err == nil {
		it.Domains = hosts
	}
	if a.CurrentRelease > 0 {
		if r, err := e.cfg.Store.FindRelease(ctx, a.Name, a.CurrentRelease); err == nil {
			it.Commit, it.LastDeploy, it.LastDeployBy = r.Commit, r.FinishedAt, r.Author
		}
	}
	return it
}

// health says whether the current release's processes run.
func (e *Engine) health(ctx context.Context, a *App) string {
	if a.CurrentRelease == 0 {
		return HealthNotDeployed
	}
	cs, err := e.cfg.Runtime.Containers(ctx, a.Name)
	if err != nil {
		return HealthUnknown
	}
	total, running := 0, 0
	for _, c := range cs {
		if c.Release != a.CurrentRelease {
			continue
		}
		total++
		if c.Running {
			running++
		}
	}
	switch {
	case total > 0 && running == total:
		return HealthHealthy
	case running > 0:
		return HealthDegraded
	}
	return HealthDown
}

// CatalogFilter selects catalog items; empty fields select everything.
type CatalogFilter struct {
	Owner, System, Lifecycle, Tag string
}

// FilterCatalog keeps the items that match every non-empty field of f.
func FilterCatalog(items []CatalogItem, f CatalogFilter) []CatalogItem {
	out := items[:0:0]
	for _, it := range items {
		if (f.Owner == "" || it.Owner == f.Owner) && (f.System == "" || it.System == f.System) &&
			(f.Lifecycle == "" || it.Lifecycle == f.Lifecycle) && (f.Tag == "" || slices.Contains(it.Tags, f.Tag)) {
			out = append(out, it)
		}
	}
	return out
}
