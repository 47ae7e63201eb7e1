package docker

import (
	"context"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/quayside/quayside/engine"
)

// drainWait bounds how long Run waits, after the container exited, for the
// rest of its output to arrive.
const drainWait = 10 * time.Second

// Run implements engine.Runtime. The one-off container carries the labels
// of spec (Replica may be 0) plus LabelOneOff=true, which keeps it out of
// Containers and Events; Inspect, Logs and Stop still find it, and
// RemoveApp removes it. It runs on the app's network with docker-init,
// no-new-privileges, droppedCaps dropped, spec.Limits and capped logs, is
// never restarted, and publishes no
// port (spec.Port is ignored). Its stdout and stderr reach out as they
// happen, one Write per chunk, flushed when out can flush; a failing out
// loses the rest of the output but not the run.
//
// Errors: a missing image is ENOTFOUND; a command that does not exist or
// cannot be executed is EINVALID with exit code 127 or 126; any other
// failure to start the container is EDEPLOYFAILED with code 125. When ctx
// ends the container is killed and removed and ctx's error returned with
// code -1, as is any other error.
func (r *Runtime) Run(ctx context.Context, spec engine.ContainerSpec, out io.Writer) (int, error) {
	if err := validateOneOff(spec); err != nil {
		return -1, err
	}
	if err := r.checkImage(ctx, spec.Image); err != nil {
		return -1, err
	}
	net, err := r.ensureNetwork(ctx, spec.App)
	if err != nil {
		return -1, err
	}
	name := containerName(r.instance, spec, randomHex(4))
	id, err := r.createContainer(ctx, name, commandConfig(spec, oneOffLabels(r.instance, spec)), baseHostConfig(net, spec.Limits))
	if err != nil {
		return -1, err
	}
	defer r.removeQuietly(id) // kills it first when it still runs
	relay := newRunOutput(out)
	code, err := r.runAttached(ctx, id, relay)
	if relay.werr != nil {
		r.log.Warn("one-off output lost", "name", name, "err", relay.werr)
	}
	r.log.Info("one-off container ended", "name", name, "code", code, "err", err)
	return code, err
}

// validateOneOff checks a spec for Run: like Start's, but the replica may
// be 0 and the port does not matter.
func validateOneOff(spec engine.ContainerSpec) error {
	if err := validateIdentity(spec); err != nil {
		return err
	}
	if spec.Replica < 0 {
		return engine.Errorf(engine.EINVALID, "replica number %d is negative", spec.Replica)
	}
	return nil
}

// runAttached attaches to the created container id, starts it, relays its
// output to out until it exits, and returns its exit code. It returns only
// once nothing writes to out any more.
func (r *Runtime) runAttached(ctx context.Context, id string, out *runOutput) (int, error) {
	att, err := r.cli.ContainerAttach(ctx, id, container.AttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return -1, r.wrap("attach to container", err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = stdcopy.StdCopy(writerFunc(out.stdout), writerFunc(out.stderr), att.Reader)
	}()
	defer func() { att.Close(); <-copied }()
	exit, err := r.waitExit(ctx, id)
	if err != nil {
		return -1, err
	}
	defer exit.stop()
	if err := r.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return r.startFailed(err)
	}
	code, err := exit.result(ctx)
	if err != nil {
		return -1, err
	}
	r.drain(ctx, copied, id)
	att.Close()
	<-copied
	return out.outcome(code)
}

// drain waits for the output of an exited container to end, at most
// drainWait or until ctx ends.
func (r *Runtime) drain(ctx context.Context, copied <-chan struct{}, id string) {
	select {
	case <-copied:
	case <-ctx.Done():
	case <-time.After(drainWait):
		r.log.Warn("output of exited one-off container did not end", "id", id)
	}
}
