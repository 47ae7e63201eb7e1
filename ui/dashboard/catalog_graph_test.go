package dashboard

import (
	"testing"

	"github.com/quayside/quayside/engine"
)

func TestBuildGraph(t *testing.T) {
	item := func(app string, deps ...string) engine.CatalogItem {
		return engine.CatalogItem{App: app, CatalogFields: engine.CatalogFields{DependsOn: deps}}
	}
	if g := buildGraph([]engine.CatalogItem{item("a"), item("b")}); g != nil {
		t.Errorf("no dependencies, no graph: %+v", g)
	}
	// a -> b -> c -> a is a cycle; d depends on a resource.
	g := buildGraph([]engine.CatalogItem{
		item("a", "component:b"), item("b", "component:default/c"), item("c", "a"), item("d", "resource:db", "component:gone"),
	})
	if g == nil || len(g.Nodes) != 6 || len(g.Edges) != 5 {
		t.Fatalf("graph = %+v", g)
	}
	external := 0
	for _, n := range g.Nodes {
		if n.External {
			external++
			if n.Href != "" {
				t.Errorf("%s is not an app but links to %s", n.Label, n.Href)
			}
		}
		if n.X+graphNodeW > g.W || n.Y+graphNodeH > g.H {
			t.Errorf("%s at %d,%d is outside %dx%d", n.Label, n.X, n.Y, g.W, g.H)
		}
	}
	if external != 2 {
		t.Errorf("%d external nodes, want resource:db and component:gone", external)
	}
	if d := depths([]string{"x"}, map[string][]string{"x": {"x"}}); d["x"] != 1 {
		t.Errorf("a self-dependency: depth %d", d["x"])
	}
}

func TestBuildGraphIsBounded(t *testing.T) {
	var items []engine.CatalogItem
	for i := range maxGraphNodes + 50 {
		items = append(items, engine.CatalogItem{App: "app-" + itoa3(i), CatalogFields: engine.CatalogFields{DependsOn: []string{"resource:shared"}}})
	}
	g := buildGraph(items)
	if len(g.Nodes) != maxGraphNodes || g.Omitted != 51 {
		t.Errorf("%d nodes drawn, %d omitted", len(g.Nodes), g.Omitted)
	}
}

func itoa3(i int) string {
	return string([]byte{byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
}
