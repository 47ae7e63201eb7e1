package main

import (
	"os"
)

type runCmd struct {
	App     string   `arg:"" help:"App name."`
	Command []string `arg:"" passthrough:"" name:"COMMAND" help:"The command and its arguments, after --."`
}

// Run runs the command in a one-off container and exits with its code.
func (c *runCmd) Run(g *globals) error {
	cmd := c.Command
	if len(cmd) > 0 && cmd[0] == "--" {
		cmd = cmd[1:]
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	code, err := cl.Run(g.ctx, c.App, cmd, os.Stdout)
	if err != nil || code == 0 {
		return err
	}
	return exitStatus(code)
}

// exitStatus makes the CLI exit with a command's own status, silently.
type exitStatus int

func (e exitStatus) Error() string { return "" }
