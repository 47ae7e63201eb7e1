package main

import (
	"os"
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
)

type rollbackCmd struct {
	App     string `arg:"" help:"App name."`
	Release string `arg:"" optional:"" help:"Release to return to, such as v3 (default: the previous good release)."`
}

func (c *rollbackCmd) Run(g *globals) error {
	to, err := parseReleaseNumber(c.Release)
	if err != nil {
		return err
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	_, err = cl.Rollback(g.ctx, c.App, to, os.Stdout)
	return err
}

// parseReleaseNumber reads "v3" or "3"; "" is 0 (the default).
func parseReleaseNumber(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "v"))
	if err != nil || n < 1 {
		return 0, engine.FieldError("release", "%q is not a release: write it as v3 or 3", s)
	}
	return n, nil
}
