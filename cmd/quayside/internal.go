package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/quayside/quayside/builder/cnb"
	"github.com/quayside/quayside/builder/worker"
	"github.com/quayside/quayside/engine"
)

type internalCmd struct {
	BuildWorker buildWorkerCmd `cmd:"" name:"build-worker" help:"Run one buildpacks build for the daemon (started by the daemon, not by people)."`
}

type buildWorkerCmd struct{}

// Run serves one build over the pipes the daemon opened (see
// builder/worker) and exits with worker.Serve's status.
func (buildWorkerCmd) Run(g *globals) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("worker_pid", os.Getpid())
	src, msgs := os.NewFile(3, "source"), os.NewFile(4, "messages")
	os.Exit(worker.Serve(g.ctx, os.Stdin, src, msgs, log, worker.DefaultGrace, newCNBWorker))
	return nil
}

// newCNBWorker is the build worker's builder: buildpacks, in process.
func newCNBWorker(ctx context.Context, config json.RawMessage, log *slog.Logger) (engine.Builder, func(), error) {
	return cnb.NewWorker(ctx, config, log)
}
