package main

import (
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"

	"github.com/quayside/quayside/ui/api"
)

type releasesCmd struct {
	List releasesListCmd `cmd:"" default:"withargs" help:"List the releases of an app, newest first."`
	Show releasesShowCmd `cmd:"" help:"Show what one release printed while it was built and deployed."`
}

type releasesShowCmd struct {
	App     string `arg:"" help:"App name."`
	Release string `arg:"" help:"Release, such as v3."`
}

func (c *releasesShowCmd) Run(g *globals) error {
	n, err := parseReleaseNumber(c.Release)
	if err != nil || n == 0 {
		return engine.FieldError("release", "%q is not a release: write it as v3 or 3", c.Release)
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	out, err := cl.ReleaseOutput(g.ctx, c.App, n)
	if err != nil {
		return err
	}
	if out == "" {
		fmt.Printf("v%d of %s left no output.\n", n, c.App)
		return nil
	}
	fmt.Print(safe(out))
	return nil
}

type releasesListCmd struct {
	App   string `arg:"" help:"App name."`
	Limit int    `short:"n" default:"20" help:"How many releases to show, newest first."`
	JSON  bool   `help:"Print JSON."`
}

func (c *releasesListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rels, err := cl.Releases(g.ctx, c.App, c.Limit)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rels)
	}
	if len(rels) == 0 {
		fmt.Printf("%s has no releases yet: git push to deploy it.\n", c.App)
		return nil
	}
	w := table("RELEASE", "STATUS", "DESCRIPTION", "IMAGE", "COMMIT", "BY", "CONFIG", "WHEN", "TOOK")
	for _, r := range rels {
		row(w, releaseLabel(r), r.Status, r.Description, shortImage(r.Image), short(r.Commit, 7),
			r.Author, fmt.Sprintf("v%d", r.ConfigVersion), ago(r.CreatedAt), took(r))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, r := range rels {
		if r.Status == "failed" && r.Error != "" {
			fmt.Printf("\nv%d failed: %s\n", r.Number, safe(r.Error))
			break
		}
	}
	return nil
}

func releaseLabel(r api.Release) string {
	if r.Current {
		return fmt.Sprintf("v%d *", r.Number)
	}
	return fmt.Sprintf("v%d", r.Number)
}

func took(r api.Release) string {
	if r.FinishedAt == nil {
		return "-"
	}
	return (time.Duration(r.DurationMS) * time.Millisecond).Round(100 * time.Millisecond).String()
}

func shortImage(img string) string {
	if len(img) > 7 && img[:7] == "sha256:" {
		return short(img[7:], 12)
	}
	return img
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	if s == "" {
		return "-"
	}
	return s
}
