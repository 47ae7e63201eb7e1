package main

import "fmt"

type eventsCmd struct {
	App   string `arg:"" help:"App name."`
	Limit int    `short:"n" default:"50" help:"How many events to show, newest first (1 to 1000)."`
	JSON  bool   `help:"Print JSON."`
}

func (c *eventsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	evs, err := cl.Events(g.ctx, c.App, c.Limit)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(evs)
	}
	if len(evs) == 0 {
		fmt.Printf("Nothing has happened to %s yet.\n", c.App)
		return nil
	}
	w := table("WHEN", "EVENT", "WHAT")
	for _, e := range evs {
		row(w, e.Time.Local().Format("2006-01-02 15:04:05"), e.Kind, e.Message)
	}
	return w.Flush()
}
