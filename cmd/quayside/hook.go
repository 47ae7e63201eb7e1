package main

import (
	"os"

	"github.com/quayside/quayside/builder/receive"
)

type hookCmd struct {
	PreReceive hookPreReceiveCmd `cmd:"" name:"pre-receive" help:"git's pre-receive hook: hands the push to the daemon and streams its output."`
}

type hookPreReceiveCmd struct{}

// Run exits with the hook's status; it writes nothing else to stdout.
func (hookPreReceiveCmd) Run(g *globals) error {
	os.Exit(receive.RunHook(g.ctx, os.Stdin, os.Stdout, os.Stderr, os.Environ()))
	return nil
}
