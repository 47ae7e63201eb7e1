package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type catalogCmd struct {
	List catalogListCmd `cmd:"" default:"withargs" help:"List every app you may see with owner, lifecycle, system, release, health and delivery figures."`
	Set  catalogSetCmd  `cmd:"" help:"Set an app's catalog fields by hand: owner, lifecycle, system, description, tags, links, dependsOn."`
}

type catalogListCmd struct {
	JSON      bool   `help:"Print JSON."`
	Backstage bool   `help:"Print Backstage Component entities in YAML, to import into Backstage."`
	Owner     string `help:"Only apps with this owner."`
	System    string `help:"Only apps of this system."`
	Lifecycle string `help:"Only apps in this lifecycle."`
	Tag       string `help:"Only apps with this tag."`
}

func (c *catalogListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if c.Backstage {
		out, err := cl.CatalogYAML(g.ctx)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(out)
		return err
	}
	items, err := cl.Catalog(g.ctx)
	if err != nil {
		return err
	}
	items = engine.FilterCatalog(items, engine.CatalogFilter{Owner: c.Owner, System: c.System, Lifecycle: c.Lifecycle, Tag: c.Tag})
	if c.JSON {
		return printJSON(items)
	}
	if len(items) == 0 {
		fmt.Println("No apps match.")
		return nil
	}
	w := table("APP", "OWNER", "LIFECYCLE", "SYSTEM", "RELEASE", "HEALTH", "DEPLOYS", "LEAD TIME", "FAILURES", "RESTORE")
	for _, it := range items {
		rel := "-"
		if it.CurrentRelease > 0 {
			rel = fmt.Sprintf("v%d %s", it.CurrentRelease, engine.ShortCommit(it.Commit))
		}
		row(w, it.App, dash(it.Owner), dash(it.Lifecycle), dash(it.System), rel, it.Health,
			it.Figures.Frequency, it.Figures.LeadTime, it.Figures.ChangeFailure, it.Figures.Recovery)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, it := range items {
		if it.FileError != "" {
			fmt.Printf("\n%s: %s was not read at its last push: %s\n", it.App, engine.CatalogFile, cellText(it.FileError))
		}
	}
	return nil
}

type catalogSetCmd struct {
	App      string   `arg:"" help:"App name."`
	Pairs    []string `arg:"" optional:"" name:"field=value" help:"Fields to set: owner, lifecycle, system, description, tags, links, dependsOn (lists comma-separated; a link may be Title=URL; field= clears)."`
	Override []string `help:"Fields whose value here replaces what catalog-info.yaml says (by default it only fills what the file leaves out)."`
	JSON     bool     `help:"Print JSON."`
}

func (c *catalogSetCmd) Run(g *globals) error {
	set := map[string]string{}
	for _, p := range c.Pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return engine.FieldError("field", "%q is not field=value (for example owner=team-payments)", p)
		}
		set[k] = v
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	entry, err := cl.SetCatalog(g.ctx, c.App, api.CatalogChange{Set: set, Override: c.Override})
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(entry)
	}
	eff := entry.Effective()
	fmt.Printf("Catalog of %s: owner %s, lifecycle %s, system %s\n", c.App, dash(eff.Owner), dash(eff.Lifecycle), dash(eff.System))
	if len(entry.Overrides) > 0 {
		fmt.Printf("Overriding catalog-info.yaml for: %s\n", strings.Join(entry.Overrides, ", "))
	}
	return nil
}
