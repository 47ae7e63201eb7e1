package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type psLimitsCmd struct {
	App    string   `arg:"" help:"App name."`
	Type   string   `arg:"" optional:"" help:"Process type to change, such as web."`
	Values []string `arg:"" optional:"" name:"KEY=VALUE" help:"memory=512M, cpus=1.5, pids=512; a value of default puts back the server's default."`
}

func (c *psLimitsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if c.Type == "" {
		l, err := cl.Processes(g.ctx, c.App)
		if err != nil {
			return err
		}
		w := table("TYPE", "LIMITS")
		for _, typ := range sortedKeys(l.Limits) {
			row(w, typ, formatLimits(l.Limits[typ]))
		}
		return w.Flush()
	}
	change, err := api.ParseLimits(c.Values)
	if err != nil {
		return err
	}
	got, err := cl.SetLimits(g.ctx, c.App, api.LimitsChange{Process: c.Type, Limits: change}, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("%s %s now runs with %s\n", c.App, c.Type, formatLimits(*got))
	return nil
}

// formatLimits prints "memory=512 MiB (default) cpus=none (default) pids=256".
func formatLimits(l api.Limits) string {
	mem, cpus, pids := "none", "none", "none"
	if l.MemoryBytes > 0 {
		mem = engine.FormatMemory(l.MemoryBytes)
	}
	if l.CPUs > 0 {
		cpus = strconv.FormatFloat(l.CPUs, 'f', -1, 64)
	}
	if l.Pids > 0 {
		pids = strconv.FormatInt(l.Pids, 10)
	}
	mark := func(key, v string) string {
		if slices.Contains(l.Defaults, key) {
			return key + "=" + v + " (default)"
		}
		return key + "=" + v
	}
	return strings.Join([]string{mark(engine.LimitMemory, mem), mark(engine.LimitCPUs, cpus), mark(engine.LimitPids, pids)}, " ")
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
