package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// gcPath is the API route that collects garbage now.
const gcPath = "/api/v1/gc"

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
	var rep engine.GCReport
	if err := postJSON(g.ctx, cl, gcPath, &rep); err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rep)
	}
	printGCReport(&rep)
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

// postJSON POSTs to an API path without a body and decodes the answer.
// (The API client has no method for the newer routes yet.)
func postJSON(ctx context.Context, cl *api.Client, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.BaseURL+path, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if cl.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.Token)
	}
	resp, err := cl.HTTP.Do(req)
	if err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Quayside server: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("read answer of %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		var e api.Error
		if json.Unmarshal(b, &e) != nil || e.Code == "" {
			return engine.Errorf(engine.EINTERNAL, "the server answered %s", resp.Status)
		}
		return &engine.Error{Code: e.Code, Message: e.Message, Fields: e.Fields}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer of %s: %w", path, err)
	}
	return nil
}
