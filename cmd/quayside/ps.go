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
	Show  psShowCmd  `cmd:"" default:"withargs" help:"List each process and replica with its state, release, uptime and restarts."`
	Scale psScaleCmd `cmd:"" help:"Set how many containers of each process type run: quayside ps scale APP web=2 worker=1"`
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
	if len(l.Processes) == 0 {
		fmt.Println("Nothing runs.")
		return nil
	}
	w := table("PROCESS", "RELEASE", "STATE", "UP", "RESTARTS")
	for _, p := range l.Processes {
		row(w, fmt.Sprintf("%s.%d", p.Type, p.Replica), fmt.Sprintf("v%d", p.Release), p.State, uptime(p), p.Restarts)
	}
	return w.Flush()
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
	change, err := parseScale(c.Counts)
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

// parseScale reads TYPE=N arguments.
func parseScale(args []string) (api.ScaleChange, error) {
	change := api.ScaleChange{}
	for _, a := range args {
		typ, n, ok := strings.Cut(a, "=")
		count, err := strconv.Atoi(n)
		if !ok || typ == "" || err != nil {
			return nil, engine.FieldError(a, "%q is not TYPE=N: write, for example, web=2", a)
		}
		if _, dup := change[typ]; dup {
			return nil, engine.FieldError(typ, "%s is given twice", typ)
		}
		change[typ] = count
	}
	return change, nil
}
