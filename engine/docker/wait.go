package docker

import (
	"context"
	"errors"

	"github.com/docker/docker/api/types/container"
)

// exitWaiter waits for the next exit of one container.
type exitWaiter struct {
	r       *Runtime
	cancel  context.CancelFunc
	results <-chan container.WaitResponse
	errs    <-chan error
	done    bool // a result or an error has been received
}

// waitExit starts waiting for the next exit of container id. It returns
// once the daemon has registered the wait, so a start that follows cannot
// slip past it. Call stop when done.
func (r *Runtime) waitExit(ctx context.Context, id string) (*exitWaiter, error) {
	wctx, cancel := context.WithCancel(ctx)
	results, errs := r.cli.ContainerWait(wctx, id, container.WaitConditionNextExit)
	w := &exitWaiter{r: r, cancel: cancel, results: results, errs: errs}
	select {
	case err := <-errs: // the request itself failed
		w.done = true
		w.stop()
		return nil, r.wrap("wait for container", err)
	default:
		return w, nil
	}
}

// result blocks until the container exits, and returns its exit code, or
// until ctx ends, and returns ctx's error.
func (w *exitWaiter) result(ctx context.Context) (int, error) {
	select {
	case res := <-w.results:
		w.done = true
		if res.Error != nil && res.Error.Message != "" {
			return -1, errors.New("wait for container: " + res.Error.Message)
		}
		return int(res.StatusCode), nil
	case err := <-w.errs:
		w.done = true
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return -1, w.r.wrap("wait for container", err)
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

// stop ends the wait; once it returns, the client's goroutine has ended.
func (w *exitWaiter) stop() {
	w.cancel()
	if w.done {
		return
	}
	select {
	case <-w.results:
	case <-w.errs:
	}
	w.done = true
}
