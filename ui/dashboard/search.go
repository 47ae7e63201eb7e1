package dashboard

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// Search bounds: the query's length, the apps whose releases a commit
// search reads, and the results shown.
const (
	maxQuery         = 100
	maxCommitSearch  = 50
	maxSearchResults = 50
)

// searchHit is one search result: a link and what it is.
type searchHit struct {
	Label, Kind, Path string
}

// searchData is the search page's Data.
type searchData struct {
	Query string
	Hits  []searchHit
}

var (
	releaseRe = regexp.MustCompile(`^v?([0-9]{1,9})$`)
	commitRe  = regexp.MustCompile(`^[0-9a-f]{4,40}$`)
)

// search jumps to an app, a page or a release: ?q=shop opens the app
// shop, "shop v3" its release 3, "shop logs" its logs; anything else
// lists what matches among the apps, pages and releases one may see.
func (d *Dashboard) search(c echo.Context, v *view) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > maxQuery {
		q = q[:maxQuery]
	}
	v.Title, v.Data = "Search", searchData{Query: q}
	if q == "" {
		return d.render(c, http.StatusOK, "search", v)
	}
	hits, err := d.searchHits(c.Request().Context(), v, strings.ToLower(q))
	if err != nil {
		return err
	}
	if len(hits) > 0 && hits[0].Kind == "exact" {
		return c.Redirect(http.StatusSeeOther, hits[0].Path)
	}
	if len(hits) > maxSearchResults {
		hits = hits[:maxSearchResults]
	}
	v.Data = searchData{Query: q, Hits: hits}
	return d.render(c, http.StatusOK, "search", v)
}

// searchHits finds what q names; an exact hit (an app, or an app's page
// or release, named in full) comes first with Kind "exact".
func (d *Dashboard) searchHits(ctx context.Context, v *view, q string) ([]searchHit, error) {
	apps, err := d.cfg.Engine.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(q)
	if hit, ok, err := d.exactHit(ctx, apps, words); err != nil || ok {
		return []searchHit{hit}, err
	}
	var hits []searchHit
	for _, a := range apps {
		if strings.Contains(a.Name, words[0]) {
			hits = append(hits, searchHit{Label: a.Name, Kind: "app", Path: appPath(a.Name)})
		}
	}
	for _, p := range d.pageHits(v) {
		if strings.Contains(strings.ToLower(p.Label), q) {
			hits = append(hits, p)
		}
	}
	if commitRe.MatchString(q) {
		more, err := d.commitHits(ctx, apps, q)
		if err != nil {
			return nil, err
		}
		hits = append(hits, more...)
	}
	return hits, nil
}

// appTabs are the pages of an app, by the word that names them.
var appTabs = map[string]string{
	"releases": "", "logs": "logs", "metrics": "metrics", "config": "config",
	"domains": "domains", "scale": "scale", "alerts": "alerts",
}

// exactHit finds the app words[0] names, and in it the page or release
// words[1] names.
func (d *Dashboard) exactHit(ctx context.Context, apps []*engine.App, words []string) (searchHit, bool, error) {
	var app *engine.App
	for _, a := range apps {
		if a.Name == words[0] {
			app = a
		}
	}
	if app == nil || len(words) > 2 {
		return searchHit{}, false, nil
	}
	if len(words) == 1 {
		return searchHit{Kind: "exact", Path: appPath(app.Name)}, true, nil
	}
	if tab, ok := appTabs[words[1]]; ok {
		if tab == "" {
			return searchHit{Kind: "exact", Path: appPath(app.Name)}, true, nil
		}
		return searchHit{Kind: "exact", Path: appPath(app.Name, tab)}, true, nil
	}
	m := releaseRe.FindStringSubmatch(words[1])
	if m == nil {
		return searchHit{}, false, nil
	}
	n, _ := strconv.Atoi(m[1])
	rel, err := d.release(ctx, app.Name, n)
	if err != nil || rel == nil {
		return searchHit{}, false, err
	}
	return searchHit{Kind: "exact", Path: appPath(app.Name, "releases", m[1])}, true, nil
}

// commitHits finds the recent releases, of the first apps, whose commit
// starts with prefix.
func (d *Dashboard) commitHits(ctx context.Context, apps []*engine.App, prefix string) ([]searchHit, error) {
	var hits []searchHit
	for i, a := range apps {
		if i == maxCommitSearch {
			break
		}
		rels, err := d.cfg.Engine.ListReleases(ctx, a.Name, appReleases)
		if err != nil && engine.ErrorCode(err) != engine.ENOTFOUND {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasPrefix(r.Commit, prefix) {
				label := a.Name + " v" + strconv.Itoa(r.Number) + " (" + engine.ShortCommit(r.Commit) + ")"
				hits = append(hits, searchHit{Label: label, Kind: "release", Path: appPath(a.Name, "releases", strconv.Itoa(r.Number))})
			}
		}
	}
	return hits, nil
}

// pageHits are the dashboard's own pages the signed-in role may open.
func (d *Dashboard) pageHits(v *view) []searchHit {
	all := []struct {
		hit searchHit
		act engine.Action
	}{
		{searchHit{"Apps", "page", "/"}, engine.ActReadApp},
		{searchHit{"New app", "page", "/new-app"}, engine.ActCreateApp},
		{searchHit{"Users", "page", "/users"}, engine.ActManageUsers},
		{searchHit{"API tokens", "page", "/tokens"}, engine.ActOwnAccount},
		{searchHit{"SSH keys", "page", "/keys"}, engine.ActOwnAccount},
		{searchHit{"Audit log", "page", "/audit"}, engine.ActReadAudit},
		{searchHit{"Alerts (server webhooks)", "page", "/alerts"}, engine.ActServer},
	}
	var out []searchHit
	for _, p := range all {
		if v.Can(p.act) {
			out = append(out, p.hit)
		}
	}
	return out
}
