package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/quayside/quayside/engine"
)

// ExecAddon implements engine.AddonRuntime. Output of both streams goes
// to out; stdin, when not nil, is copied in and then closed.
func (r *Runtime) ExecAddon(ctx context.Context, app, name string, cmd []string, stdin io.Reader, out io.Writer) (int, error) {
	info, err := r.inspectAddon(ctx, app, name)
	if err != nil {
		return 0, err
	}
	if info.State == nil || !info.State.Running {
		return 0, engine.Errorf(engine.EUNAVAILABLE, "add-on %s of %s is not running", name, app)
	}
	ex, err := r.cli.ContainerExecCreate(ctx, info.ID, container.ExecOptions{
		Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: stdin != nil,
	})
	if err != nil {
		return 0, r.wrap("create exec", err)
	}
	hj, err := r.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, r.wrap("attach exec", err)
	}
	defer hj.Close()
	if stdin != nil {
		go func() {
			_, _ = io.Copy(hj.Conn, stdin)
			_ = hj.CloseWrite()
		}()
	}
	if _, err := stdcopy.StdCopy(out, out, hj.Reader); err != nil && ctx.Err() == nil {
		return 0, fmt.Errorf("read exec output: %w", err)
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	st, err := r.cli.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return 0, r.wrap("inspect exec", err)
	}
	return st.ExitCode, nil
}

// AddonLogs implements engine.AddonRuntime.
func (r *Runtime) AddonLogs(ctx context.Context, app, name string, n int) (string, error) {
	info, err := r.inspectAddon(ctx, app, name)
	if err != nil || n <= 0 {
		return "", err
	}
	rc, err := r.cli.ContainerLogs(ctx, info.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n)})
	if err != nil {
		return "", r.wrap("read add-on logs", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		return "", fmt.Errorf("demultiplex add-on logs: %w", err)
	}
	return buf.String(), nil
}

// HasImage implements engine.AddonRuntime.
func (r *Runtime) HasImage(ctx context.Context, ref string, pull bool) (bool, error) {
	if pull {
		rc, err := r.cli.ImagePull(ctx, ref, image.PullOptions{})
		if err != nil {
			return false, r.wrap("pull "+ref, err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return false, fmt.Errorf("pull %s: %w", ref, err)
		}
	}
	_, err := r.cli.ImageInspect(ctx, ref)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, r.wrap("inspect image", err)
}
