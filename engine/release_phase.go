package engine

import (
	"context"
	"errors"
	"io"
)

// exitKilled is the exit code of a process killed by SIGKILL, which is
// how the kernel ends a container past its memory limit.
const exitKilled = 137

// runReleasePhase runs rel's release process, if it has one, once in a
// one-off container with rel's config, streaming its output. A non-zero
// exit or a run past the app's release timeout fails the deploy.
func (e *Engine) runReleasePhase(ctx context.Context, app *App, rel *Release, out *progress) error {
	p, ok := findProcess(rel.processes(), ProcessRelease)
	if !ok {
		return nil
	}
	spec, err := e.containerSpec(ctx, rel, p, 0)
	if err != nil {
		return err
	}
	timeout := app.Health.WithDefaults().ReleaseTimeout
	out.Step("Running the release command of v%d: %s", rel.Number, p.Command())
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	logs := e.newLogWriter(LogLine{App: rel.App, Process: ProcessRelease, Release: rel.Number})
	code, err := e.cfg.Runtime.Run(rctx, spec, io.MultiWriter(out, logs))
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (err != nil && rctx.Err() == context.DeadlineExceeded):
		return Errorf(EDEPLOYFAILED, "the release command ran longer than its timeout of %s and was stopped (change it with `quayside checks set %s --release-timeout`)", timeout, app.Name)
	case err != nil:
		return stepError("running the release command", err)
	case code == exitKilled:
		return Errorf(EDEPLOYFAILED, "the release command was killed (exit code %d), most often because it ran out of memory, so v%d was not deployed: "+
			"raise the memory limit with `quayside ps limits %s web memory=1G` (release commands run with web's limits)", code, rel.Number, app.Name)
	case code != 0:
		return Errorf(EDEPLOYFAILED, "the release command exited with code %d, so v%d was not deployed", code, rel.Number)
	}
	out.Info("release command succeeded")
	return nil
}
