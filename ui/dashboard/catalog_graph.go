package dashboard

import (
	"sort"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Graph geometry, in SVG user units.
const (
	graphNodeW, graphNodeH = 150, 28
	graphColW, graphRowH   = 200, 44
	graphPad               = 10
	// maxGraphNodes bounds the nodes drawn; the rest are left out and said so.
	maxGraphNodes = 300
)

// depGraph is the dependsOn graph drawn on the server: apps (and the
// services they depend on that are not apps) in columns by depth, a
// dependency left of what depends on it.
type depGraph struct {
	W, H    int
	Nodes   []graphNode
	Edges   []graphEdge
	Omitted int
	Summary string
}

// graphNode is a box; External nodes are not apps.
type graphNode struct {
	Label, Href string
	X, Y        int
	TextX       int
	TextY       int
	External    bool
}

// graphEdge is an arrow from a dependent to its dependency.
type graphEdge struct {
	X1, Y1, X2, Y2 int
}

// refApp is the app a dependsOn entry names ("payments",
// "component:payments", "component:default/payments"), "" when it names
// no app in apps.
func refApp(ref string, apps map[string]bool) string {
	name := ref
	if kind, rest, ok := strings.Cut(ref, ":"); ok {
		if !strings.EqualFold(kind, "component") {
			return ""
		}
		name = rest
	}
	name = strings.TrimPrefix(name, "default/")
	if apps[name] {
		return name
	}
	return ""
}

// buildGraph lays out the dependsOn graph of items.
func buildGraph(items []engine.CatalogItem) *depGraph {
	apps := map[string]bool{}
	for _, it := range items {
		apps[it.App] = true
	}
	deps := map[string][]string{} // node -> its dependencies
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	edges := 0
	for _, it := range items {
		add(it.App)
		for _, d := range it.DependsOn {
			if a := refApp(d, apps); a != "" {
				d = a
			}
			add(d)
			deps[it.App] = append(deps[it.App], d)
			edges++
		}
	}
	if edges == 0 {
		return nil
	}
	g := &depGraph{}
	if len(names) > maxGraphNodes {
		g.Omitted, names = len(names)-maxGraphNodes, names[:maxGraphNodes]
	}
	depth := depths(names, deps)
	pos := g.place(names, depth, apps)
	for _, n := range names {
		for _, d := range deps[n] {
			from, ok1 := pos[n]
			to, ok2 := pos[d]
			if ok1 && ok2 {
				g.Edges = append(g.Edges, graphEdge{X1: from.X, Y1: from.Y + graphNodeH/2, X2: to.X + graphNodeW, Y2: to.Y + graphNodeH/2})
			}
		}
	}
	g.Summary = graphSummary(names, deps)
	return g
}

// depths is each node's longest chain of dependencies; a cycle is cut
// where it closes.
func depths(names []string, deps map[string][]string) map[string]int {
	depth := map[string]int{}
	onPath := map[string]bool{}
	var visit func(string) int
	visit = func(n string) int {
		if d, ok := depth[n]; ok {
			return d
		}
		if onPath[n] {
			return 0
		}
		onPath[n] = true
		d := 0
		for _, dep := range deps[n] {
			d = max(d, visit(dep)+1)
		}
		onPath[n] = false
		depth[n] = d
		return d
	}
	for _, n := range names {
		visit(n)
	}
	return depth
}

// place puts the nodes in columns by depth, sorted by name in each.
func (g *depGraph) place(names []string, depth map[string]int, apps map[string]bool) map[string]graphNode {
	cols := map[int][]string{}
	maxCol, maxRow := 0, 0
	for _, n := range names {
		cols[depth[n]] = append(cols[depth[n]], n)
		maxCol = max(maxCol, depth[n])
	}
	pos := map[string]graphNode{}
	for c, ns := range cols {
		sort.Strings(ns)
		maxRow = max(maxRow, len(ns))
		for r, n := range ns {
			x, y := graphPad+c*graphColW, graphPad+r*graphRowH
			node := graphNode{Label: cutText(22, n), X: x, Y: y, TextX: x + 8, TextY: y + 18, External: !apps[n]}
			if apps[n] {
				node.Href = appPath(n)
			}
			pos[n] = node
			g.Nodes = append(g.Nodes, node)
		}
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].Label < g.Nodes[j].Label })
	g.W = 2*graphPad + maxCol*graphColW + graphNodeW
	g.H = 2*graphPad + (maxRow-1)*graphRowH + graphNodeH
	return pos
}

// graphSummary says the graph in words, for screen readers.
func graphSummary(names []string, deps map[string][]string) string {
	var parts []string
	for _, n := range names {
		if len(deps[n]) > 0 {
			parts = append(parts, n+" depends on "+strings.Join(deps[n], ", "))
		}
	}
	return strings.Join(parts, "; ") + "."
}
