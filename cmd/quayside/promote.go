package main

import (
	"fmt"
	"os"
)

type promoteCmd struct {
	Source string `arg:"" help:"The app (a staging app, a preview) whose current release's image to release."`
	Target string `arg:"" help:"The app to release it into, with its own config; you must be allowed to deploy it."`
}

func (c *promoteCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rel, err := cl.Promote(g.ctx, c.Source, c.Target, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("%s v%d is %s: promoted from %s v%d, no build.\n", c.Target, rel.Number, rel.Status, rel.PromotedFrom, rel.PromotedRelease)
	return nil
}
