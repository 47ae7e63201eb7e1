package main

import (
	"fmt"

	"github.com/quayside/quayside/engine"
)

// gcCmd runs the daemon's garbage collection now and reports what it
// freed. The daemon also runs it by itself (--gc-every).
type gcCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *gcCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rep, err := cl.CollectGarbage(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rep)
	}
	printGCReport(rep)
	return nil
}

// printGCReport prints what a collection removed, and what it could not.
func printGCReport(rep *engine.GCReport) {
	if len(rep.Removed) == 0 {
		fmt.Println("Nothing to remove: no stopped containers, no images beyond retention, build caches within budget.")
	} else {
		fmt.Printf("Removed %s; freed %s.\n\n", gcCounts(rep.Removed), engine.FormatBytes(rep.BytesFreed))
		w := table("KIND", "APP", "NAME", "SIZE", "WHY")
		for _, it := range rep.Removed {
			row(w, it.Kind, dash(it.App), it.Name, engine.FormatBytes(it.Bytes), it.Reason)
		}
		_ = w.Flush()
	}
	for _, e := range rep.Errors {
		fmt.Printf("Not removed: %s\n", safe(e))
	}
}

// gcCounts says "2 images, 1 container".
func gcCounts(items []engine.GCItem) string {
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Kind]++
	}
	var out string
	for _, k := range []string{engine.GCImage, engine.GCContainer, engine.GCBuildCache} {
		n := counts[k]
		if n == 0 {
			continue
		}
		if out != "" {
			out += ", "
		}
		noun := k
		if n > 1 {
			noun += "s"
		}
		out += fmt.Sprintf("%d %s", n, noun)
	}
	return out
}
