package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type restartCmd struct {
	App     string `arg:"" help:"App name."`
	Process string `help:"Restart only this process type, such as web (default: every type that runs)."`
}

// Run replaces the app's containers of one process type, or of each type
// that runs one after another, with fresh ones of the same release,
// streaming progress. New web containers take traffic before the old ones
// are drained.
func (c *restartCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	types := []string{c.Process}
	if c.Process == "" {
		ps, err := cl.Processes(g.ctx, c.App)
		if err != nil {
			return err
		}
		if types = runningTypes(ps.Processes); len(types) == 0 {
			return engine.Errorf(engine.EINVALID, "nothing of %s runs, so there is nothing to restart: deploy it with git push, or scale it up with quayside ps scale", c.App)
		}
	}
	for _, typ := range types {
		if err := cl.Restart(g.ctx, c.App, typ, os.Stdout); err != nil {
			return err
		}
	}
	fmt.Printf("Restarted %s: %s\n", c.App, strings.Join(types, ", "))
	return nil
}

// runningTypes are the process types of ps, each once, sorted.
func runningTypes(ps []api.Process) []string {
	var types []string
	for _, p := range ps {
		types = append(types, p.Type)
	}
	slices.Sort(types)
	return slices.Compact(types)
}
