package main

import (
	"fmt"
	"os"
)

type redeployCmd struct {
	App string `arg:"" help:"App name."`
}

// Run deploys the app's current release again: same image and config
// (a preview's config recomputed from its app's), fresh containers, no
// build, streaming the deploy's progress.
func (c *redeployCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rel, err := cl.Redeploy(g.ctx, c.App, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("%s v%d is %s: %s, no build.\n", c.App, rel.Number, rel.Status, rel.Description)
	return nil
}
