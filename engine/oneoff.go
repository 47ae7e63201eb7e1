package engine

import (
	"context"
	"io"
	"slices"
)

// MaxRunArgs bounds the command line of a one-off run.
const MaxRunArgs = 256

// RunRequest asks for a command to run once in a new container of an
// app's current release, with its config.
type RunRequest struct {
	App     string
	Command []string
	Author  string
	Output  io.Writer
}

// Run runs req.Command in a one-off container of the app's current release
// and returns its exit code. The container is removed afterwards; nothing
// routes to it. It does not wait for deploys of the app.
func (e *Engine) Run(ctx context.Context, req RunRequest) (code int, err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return 0, err
	}
	req.Author = actor(ctx, req.Author)
	if req.Output == nil {
		req.Output = io.Discard
	}
	if len(req.Command) == 0 || req.Command[0] == "" {
		return 0, FieldError("command", "give the command to run, as in quayside run APP -- ls -l")
	}
	if len(req.Command) > MaxRunArgs {
		return 0, FieldError("command", "the command has %d arguments: the limit is %d", len(req.Command), MaxRunArgs)
	}
	defer func() { e.audit(ctx, AuditRun, req.App, "", req.Command[0], err) }()
	app, err := e.appForChange(ctx, req.App)
	if err != nil {
		return 0, err
	}
	if app.CurrentRelease == 0 {
		return 0, Errorf(EINVALID, "app %s has no release yet: deploy it first", app.Name)
	}
	return e.runOneOff(ctx, app, req.Command, "run", req.Output)
}

// runOneOff runs cmd in a one-off container of app's current release with
// its config and limits, copying the output to out and to the app's logs
// under process logAs, and returns the exit code. Callers authorize.
func (e *Engine) runOneOff(ctx context.Context, app *App, cmd []string, logAs string, out io.Writer) (int, error) {
	rel, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return 0, err
	}
	spec, err := e.containerSpec(ctx, rel, oneOffProcess(rel, cmd), 0)
	if err != nil {
		return 0, err
	}
	e.log.Info("one-off run", "app", app.Name, "release", rel.Number, "as", logAs)
	logs := e.newLogWriter(LogLine{App: app.Name, Process: logAs, Release: rel.Number})
	code, err := e.cfg.Runtime.Run(ctx, spec, newProgress(io.MultiWriter(NewCleanWriter(out), logs)))
	if err != nil && ErrorCode(err) != EINVALID && ctx.Err() == nil {
		e.reportFailure(nil, "one-off run", app.Name, err)
		return code, stepError("starting the one-off container", err)
	}
	return code, err
}

// oneOffProcess runs cmd in rel's image: through the buildpack launcher for
// buildpack images (so the app's environment is set up), directly otherwise.
func oneOffProcess(rel *Release, cmd []string) Process {
	if rel.BuildMethod == "buildpacks" {
		return Process{Type: "run", Entrypoint: append([]string{"/cnb/lifecycle/launcher"}, cmd...)}
	}
	return Process{Type: "run", Entrypoint: slices.Clone(cmd)}
}
