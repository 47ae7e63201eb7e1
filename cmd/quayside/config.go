package main

import (
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type configCmd struct {
	Show  configShowCmd  `cmd:"" default:"withargs" help:"Show an app's config (values masked unless --reveal)."`
	Get   configGetCmd   `cmd:"" help:"Print one config value."`
	Set   configSetCmd   `cmd:"" help:"Set config values: a new release, deployed with zero downtime."`
	Unset configUnsetCmd `cmd:"" help:"Remove config values: a new release, deployed with zero downtime."`
}

type configShowCmd struct {
	App    string `arg:"" help:"App name."`
	Reveal bool   `help:"Show the values."`
	JSON   bool   `help:"Print JSON."`
}

func (c *configShowCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	cfg, err := cl.Config(g.ctx, c.App, c.Reveal)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(cfg)
	}
	if len(cfg.Vars) == 0 {
		fmt.Printf("%s has no config. Set some with `quayside config set %s KEY=value`.\n", c.App, c.App)
		return nil
	}
	keys := make([]string, 0, len(cfg.Vars))
	for k := range cfg.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := table("KEY", "VALUE", "BUILD")
	for _, k := range keys {
		build := "visible"
		if slices.Contains(cfg.RuntimeOnly, k) {
			build = "runtime-only"
		}
		row(w, k, cfg.Vars[k], build)
	}
	return w.Flush()
}

type configGetCmd struct {
	App string `arg:"" help:"App name."`
	Key string `arg:"" help:"Config key."`
}

func (c *configGetCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	cfg, err := cl.Config(g.ctx, c.App, true)
	if err != nil {
		return err
	}
	v, ok := cfg.Vars[c.Key]
	if !ok {
		return engine.Errorf(engine.ENOTFOUND, "%s has no config key %s", c.App, c.Key)
	}
	if stdoutIsTerminal() { // piped, the value is printed exactly
		v = engine.CleanText(v)
	}
	fmt.Println(v)
	return nil
}

type configSetCmd struct {
	App            string   `arg:"" help:"App name."`
	Pairs          []string `arg:"" name:"KEY=value" help:"Variables to set."`
	ProductionOnly bool     `name:"production-only" help:"Also mark the keys production-only: previews of the app never receive them."`
	Previews       bool     `help:"Set the config new previews start with (on top of the app's), not the app's own."`
	RuntimeOnly    bool     `xor:"build" help:"Builds never see these keys: only the running app gets them (for secrets the build does not need)."`
	BuildVisible   bool     `xor:"build" help:"Builds see these keys again (undoes --runtime-only). Without either flag, keys keep their mark and new keys are visible to builds."`
}

func (c *configSetCmd) Run(g *globals) error {
	set, err := api.ParseConfigPairs(c.Pairs)
	if err != nil {
		return err
	}
	ch := api.ConfigChange{Set: set, ProductionOnly: c.ProductionOnly, Previews: c.Previews}
	if c.RuntimeOnly || c.BuildVisible {
		ch.RuntimeOnly = &c.RuntimeOnly
	}
	return changeConfig(g, c.App, ch)
}

type configUnsetCmd struct {
	App      string   `arg:"" help:"App name."`
	Keys     []string `arg:"" name:"KEY" help:"Variables to remove."`
	Previews bool     `help:"Remove keys from the config new previews start with, not from the app's own."`
}

func (c *configUnsetCmd) Run(g *globals) error {
	return changeConfig(g, c.App, api.ConfigChange{Unset: c.Keys, Previews: c.Previews})
}

func changeConfig(g *globals, app string, ch api.ConfigChange) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rel, err := cl.ChangeConfig(g.ctx, app, ch, os.Stdout)
	if err != nil {
		return err
	}
	if rel == nil && !ch.Previews {
		fmt.Printf("Config of %s saved; it applies from the first deploy.\n", app)
	}
	return nil
}
