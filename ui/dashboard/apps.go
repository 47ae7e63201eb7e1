package dashboard

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/metrics"
)

// usageSpan is how far back the overview looks for an app's CPU and memory.
const usageSpan = 5 * time.Minute

// overviewData is the apps overview's Data.
type overviewData struct {
	Rows       []appRow
	HasMetrics bool
	// Push is how to create an app by pushing, for the empty list.
	Push pushURLs
}

// pushURLs are the two URLs an app is pushed to, and what the second
// goes over: "HTTPS", or "HTTP" in local mode.
type pushURLs struct{ SSH, HTTPS, Web string }

// exampleApp names the app in push instructions that are not about one.
const exampleApp = "myapp"

// push returns app's push URLs.
func (d *Dashboard) push(app string) pushURLs {
	p := pushURLs{SSH: d.links.pushSSH(app), HTTPS: d.links.pushHTTPS(app), Web: "HTTPS"}
	if strings.HasPrefix(p.HTTPS, "http:") {
		p.Web = "HTTP"
	}
	return p
}

// appRow is one app at a glance.
type appRow struct {
	App *engine.App
	URL string
	// State is what the overview shows: shownState.
	State string
	// Current is the live release, Last the newest; nil when unknown.
	Current, Last *engine.Release
	// Usage is the latest metrics point; nil without metrics.
	Usage *metrics.Point
}

func (d *Dashboard) overview(c echo.Context, v *view) error {
	ctx := c.Request().Context()
	apps, err := d.cfg.Engine.ListApps(ctx)
	if err != nil {
		return err
	}
	data := overviewData{Rows: make([]appRow, 0, len(apps)), Push: d.push(exampleApp)}
	for _, app := range apps {
		row, err := d.appRow(ctx, app)
		if err != nil {
			return err
		}
		data.HasMetrics = data.HasMetrics || row.Usage != nil
		data.Rows = append(data.Rows, row)
	}
	v.Title, v.Section, v.Data = "Apps", "apps", data
	return d.render(c, http.StatusOK, "overview", v)
}

// appRow gathers what the overview shows of app.
func (d *Dashboard) appRow(ctx context.Context, app *engine.App) (appRow, error) {
	row := appRow{App: app, URL: d.appURL(app.Name), State: shownState(app, nil), Usage: d.latestUsage(app.Name)}
	rels, err := d.cfg.Engine.ListReleases(ctx, app.Name, 10)
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return row, nil // destroyed meanwhile
	}
	if err != nil {
		return row, err
	}
	if len(rels) > 0 {
		row.Last = rels[0]
	}
	row.Current = findRelease(rels, app.CurrentRelease)
	row.State = shownState(app, row.Last)
	return row, nil
}

// latestUsage is the newest metrics point of app, nil when there is none.
func (d *Dashboard) latestUsage(app string) *metrics.Point {
	if d.cfg.Series == nil {
		return nil
	}
	pts := d.cfg.Series.AppSeries(app, usageSpan)
	if len(pts) == 0 {
		return nil
	}
	p := pts[len(pts)-1]
	return &p
}

// findRelease returns the release numbered n, nil when rels lacks it.
func findRelease(rels []*engine.Release, n int) *engine.Release {
	for _, r := range rels {
		if r.Number == n {
			return r
		}
	}
	return nil
}

// currentRelease returns the live release of app, nil when it has none.
func (d *Dashboard) currentRelease(ctx context.Context, app *engine.App) (*engine.Release, error) {
	if app.CurrentRelease == 0 {
		return nil, nil
	}
	return d.release(ctx, app.Name, app.CurrentRelease)
}

// release returns release n of app, nil when there is none. The engine
// lists releases newest first, so it reads only as far back as n.
func (d *Dashboard) release(ctx context.Context, app string, n int) (*engine.Release, error) {
	const first = 20
	rels, err := d.cfg.Engine.ListReleases(ctx, app, first)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	if back := rels[0].Number - n + 1; back > first && n > 0 {
		if rels, err = d.cfg.Engine.ListReleases(ctx, app, back); err != nil {
			return nil, err
		}
	}
	return findRelease(rels, n), nil
}

// processTypes lists the long-running process types of rel, sorted.
func processTypes(rel *engine.Release) []string {
	if rel == nil {
		return nil
	}
	if len(rel.Processes) == 0 {
		return []string{engine.ProcessWeb}
	}
	var types []string
	for _, p := range rel.Processes {
		if p.Type != engine.ProcessRelease {
			types = append(types, p.Type)
		}
	}
	slices.Sort(types)
	return types
}

// loadApp finds the app an app page is about and sets up the view for tab.
// An app the user may not see is ENOTFOUND, as if it did not exist.
func (d *Dashboard) loadApp(c echo.Context, v *view, tab string) (*engine.App, error) {
	app, err := d.cfg.Engine.FindApp(c.Request().Context(), c.Param("app"))
	if err != nil {
		return nil, err
	}
	v.App, v.AppURL, v.Tab, v.Section = app, d.appURL(app.Name), tab, "apps"
	v.Title = app.Name
	var last *engine.Release
	if app.CurrentRelease == 0 {
		rels, err := d.cfg.Engine.ListReleases(c.Request().Context(), app.Name, 1)
		if err != nil {
			return nil, err
		}
		if len(rels) > 0 {
			last = rels[0]
		}
	}
	v.AppState = shownState(app, last)
	return app, nil
}

// authorize checks that the signed-in identity may do act on the page's
// app before the dashboard asks anything of it: changes are refused the
// same way whether or not they were confirmed. A refusal is audited as the
// engine audits its own.
func (d *Dashboard) authorize(c echo.Context, v *view, act engine.Action) error {
	app := ""
	if v.App != nil {
		app = v.App.Name
	}
	ctx := c.Request().Context()
	err := d.cfg.Accounts.Authorize(ctx, v.ID, act, app)
	if engine.ErrorCode(err) == engine.EFORBIDDEN {
		entry := engine.AuditEntry{Action: "denied." + string(act), App: app, Detail: engine.ErrorMessage(err)}
		if aerr := d.cfg.Accounts.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
			d.log.Error("write audit entry", "action", entry.Action, "err", aerr)
		}
	}
	return err
}

// longCtx is the context of a change that deploys: it carries the request's
// identity but is not cancelled when the browser goes away mid-deploy.
func longCtx(c echo.Context) context.Context {
	return context.WithoutCancel(c.Request().Context())
}
