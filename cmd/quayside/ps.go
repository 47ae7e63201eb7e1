package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type psCmd struct {
	Show   psShowCmd   `cmd:"" default:"withargs" help:"List each process and replica with its state, release, uptime and restarts."`
	Scale  psScaleCmd  `cmd:"" help:"Set how many containers of each process type run: quayside ps scale APP web=2 worker=1"`
	Limits psLimitsCmd `cmd:"" help:"Show or set the memory, CPU and process limits of a process type: quayside ps limits APP web memory=512M cpus=1 pids=512"`
}

type psShowCmd struct {
	App  string `arg:"" help:"App name."`
	JSON bool   `help:"Print JSON."`
}

func (c *psShowCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	l, err := cl.Processes(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(l)
	}
	fmt.Printf("Scale: %s\n", formatScale(l.Scale))
	for _, typ := range sortedKeys(l.Limits) {
		fmt.Printf("Limits of %s: %s\n", typ, formatLimits(l.Limits[typ]))
	}
	if len(l.Processes) == 0 {
		fmt.Println("Nothing runs.")
		return nil
	}
	if anyNode(l.Processes) {
		return printByNode(l.Processes)
	}
	w := table("PROCESS", "RELEASE", "STATE", "UP", "RESTARTS", "MEMORY", "CPU")
	for _, p := range l.Processes {
		row(w, fmt.Sprintf("%s.%d", p.Type, p.Replica), fmt.Sprintf("v%d", p.Release), p.State, uptime(p), p.Restarts,
			memoryUse(p), cpuUse(p))
	}
	return w.Flush()
}

// memoryUse prints "42 MiB / 512 MiB": used at the last sample ("-" when
// unknown) and the limit ("none" without one).
func memoryUse(p api.Process) string {
	used := "-"
	if p.MemoryBytes != nil {
		used = engine.FormatMemory(int64(*p.MemoryBytes))
	}
	limit := "none"
	if p.MemoryLimitBytes > 0 {
		limit = engine.FormatMemory(p.MemoryLimitBytes)
	}
	return used + " / " + limit
}

// cpuUse prints "12.5% / 100%": the CPU used at the last sample ("-" when
// unknown; 100% is one CPU) and the limit, when there is one.
func cpuUse(p api.Process) string {
	used := "-"
	if p.CPUPercent != nil {
		used = strconv.FormatFloat(*p.CPUPercent, 'f', 1, 64) + "%"
	}
	if p.CPULimit > 0 {
		return used + " / " + strconv.FormatFloat(p.CPULimit*100, 'f', -1, 64) + "%"
	}
	return used
}

func uptime(p api.Process) string {
	if p.State != "running" || p.StartedAt.IsZero() {
		return "-"
	}
	return time.Since(p.StartedAt).Round(time.Second).String()
}

func formatScale(s map[string]int) string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, s[k])
	}
	return strings.Join(parts, " ")
}

type psScaleCmd struct {
	App    string   `arg:"" help:"App name."`
	Counts []string `arg:"" name:"TYPE=N" help:"Process types and how many containers of each, such as web=2 worker=1."`
}

func (c *psScaleCmd) Run(g *globals) error {
	change, err := api.ParseScale(c.Counts)
	if err != nil {
		return err
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	app, err := cl.Scale(g.ctx, c.App, change, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("%s now runs %s\n", app.Name, formatScale(app.Scale))
	return nil
}

// anyNode reports whether a replica runs in a cluster.
func anyNode(ps []api.Process) bool {
	for _, p := range ps {
		if p.Node != "" {
			return true
		}
	}
	return false
}

// printByNode is the process table with the node of each replica.
func printByNode(ps []api.Process) error {
	w := table("PROCESS", "NODE", "RELEASE", "STATE", "UP", "RESTARTS", "MEMORY", "CPU")
	for _, p := range ps {
		node := p.Node
		if node == "" {
			node = "(this server)"
		}
		row(w, fmt.Sprintf("%s.%d", p.Type, p.Replica), safe(node), fmt.Sprintf("v%d", p.Release), p.State, uptime(p),
			p.Restarts, memoryUse(p), cpuUse(p))
	}
	return w.Flush()
}
