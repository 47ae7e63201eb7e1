package dashboard

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// catalogData is the catalog page's Data.
type catalogData struct {
	Items   []engine.CatalogItem
	Total   int
	Filter  engine.CatalogFilter
	Filters []catalogFilter
	Graph   *depGraph
}

// catalogFilter is one select of the filter form.
type catalogFilter struct {
	Name, Label, Value string
	Options            []string
}

// catalogPage lists every app the user may see with its catalog entry,
// filtered by ?owner=, ?system=, ?lifecycle= and ?tag=, and draws the
// dependsOn graph of the apps shown.
func (d *Dashboard) catalogPage(c echo.Context, v *view) error {
	all, err := d.cfg.Engine.CatalogView(c.Request().Context())
	if err != nil {
		return err
	}
	f := engine.CatalogFilter{
		Owner: cutText(100, c.QueryParam("owner")), System: cutText(100, c.QueryParam("system")),
		Lifecycle: cutText(100, c.QueryParam("lifecycle")), Tag: cutText(100, c.QueryParam("tag")),
	}
	items := engine.FilterCatalog(all, f)
	data := catalogData{Items: items, Total: len(all), Filter: f, Graph: buildGraph(items)}
	owners, systems, lifecycles, tags := catalogValues(all)
	data.Filters = []catalogFilter{
		{"owner", "Owner", f.Owner, owners}, {"system", "System", f.System, systems},
		{"lifecycle", "Lifecycle", f.Lifecycle, lifecycles}, {"tag", "Tag", f.Tag, tags},
	}
	v.Title, v.Section, v.Data = "Catalog", "catalog", data
	return d.render(c, http.StatusOK, "catalog", v)
}

// catalogValues are the distinct owners, systems, lifecycles and tags of
// items, sorted.
func catalogValues(items []engine.CatalogItem) (owners, systems, lifecycles, tags []string) {
	sets := [4]map[string]bool{{}, {}, {}, {}}
	for _, it := range items {
		sets[0][it.Owner], sets[1][it.System], sets[2][it.Lifecycle] = true, true, true
		for _, t := range it.Tags {
			sets[3][t] = true
		}
	}
	var out [4][]string
	for i, s := range sets {
		for k := range s {
			if k != "" {
				out[i] = append(out[i], k)
			}
		}
		sort.Strings(out[i])
	}
	return out[0], out[1], out[2], out[3]
}
