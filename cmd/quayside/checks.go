package main

import (
	"fmt"
	"time"

	"github.com/quayside/quayside/ui/api"
)

type checksCmd struct {
	Show checksShowCmd `cmd:"" default:"withargs" help:"Show the health check and drain settings."`
	Set  checksSetCmd  `cmd:"" help:"Change the health check and drain settings."`
}

type checksShowCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *checksShowCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.App(g.ctx, c.App)
	if err != nil {
		return err
	}
	printChecks(a)
	return nil
}

type checksSetCmd struct {
	App     string        `arg:"" help:"App name."`
	Path    string        `help:"Path to GET; any answer below 500 counts as healthy (default /)."`
	Timeout time.Duration `help:"How long a new release may take to become healthy (default 60s)."`
	Drain   time.Duration `help:"How long in-flight requests may finish on the old release (default 30s)."`
	// ReleaseTimeout bounds the release phase.
	ReleaseTimeout time.Duration `name:"release-timeout" help:"How long the release command (Procfile release:) may run (default 10m)."`
}

func (c *checksSetCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	h := api.HealthCheck{Path: c.Path, TimeoutSeconds: c.Timeout.Seconds(), DrainSeconds: c.Drain.Seconds(),
		ReleaseTimeoutSeconds: c.ReleaseTimeout.Seconds()}
	a, err := cl.UpdateApp(g.ctx, c.App, api.UpdateApp{Health: &h})
	if err != nil {
		return err
	}
	printChecks(a)
	return nil
}

func printChecks(a *api.App) {
	fmt.Printf("%s: GET %s must answer below 500 within %gs; old releases drain for up to %gs; the release command may run %gs.\n",
		a.Name, a.Health.Path, a.Health.TimeoutSeconds, a.Health.DrainSeconds, a.Health.ReleaseTimeoutSeconds)
}

func updateBranch(b string) api.UpdateApp { return api.UpdateApp{DeployBranch: &b} }
