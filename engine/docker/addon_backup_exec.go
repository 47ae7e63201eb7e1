package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// toolRun is one command run inside an add-on's container through Docker's
// exec API.
type toolRun struct {
	cmd    []string
	user   string    // "" runs as the image's user
	env    []string  // KEY=VALUE, added to the container's
	stdin  io.Reader // nil: no standard input
	stdout io.Writer // nil: discarded
}

// ToolError is a command run in an add-on's container that exited non-zero.
type ToolError struct {
	Tool   string // the program, "pg_dump"
	Status int    // its exit status
	Stderr string // the last lines it wrote to standard error
}

// Error says which tool failed, how and its last words.
func (e *ToolError) Error() string {
	msg := fmt.Sprintf("%s exited with status %d", e.Tool, e.Status)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// stderrKeep is how much of a tool's standard error is kept: its end.
const stderrKeep = 4 << 10

// execTool runs x in the container and streams its standard output to
// x.stdout (standard error is kept, up to its last 4 KiB, for the error).
// It returns a *ToolError when the command exits non-zero, and the error
// of x.stdin or x.stdout when reading or writing failed. Memory stays flat
// whatever the size of the streams. Cancelling ctx ends the streams; the
// command sees a closed pipe.
func (r *Runtime) execTool(ctx context.Context, id string, x toolRun) error {
	created, err := r.cli.ContainerExecCreate(ctx, id, container.ExecOptions{
		User: x.user, Env: x.env, Cmd: x.cmd,
		AttachStdin: x.stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return r.wrap("create exec of "+x.cmd[0], err)
	}
	resp, err := r.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return r.wrap("attach exec of "+x.cmd[0], err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			resp.Close()
		case <-done:
		}
	}()
	inErr := make(chan error, 1)
	if x.stdin != nil {
		go func() {
			_, err := io.Copy(resp.Conn, x.stdin)
			resp.CloseWrite()
			inErr <- err
		}()
	} else {
		inErr <- nil
	}
	stdout := x.stdout
	if stdout == nil {
		stdout = io.Discard
	}
	stderr := &tailBuffer{max: stderrKeep}
	_, copyErr := stdcopy.StdCopy(stdout, stderr, resp.Reader)
	resp.Close() // unblocks the stdin copy when the command stopped reading
	readErr := <-inErr
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("run %s: %w", x.cmd[0], err)
	}
	status, err := r.execStatus(ctx, created.ID)
	if err != nil {
		return err
	}
	if status != 0 {
		return &ToolError{Tool: x.cmd[0], Status: status, Stderr: stderr.lastLines(8)}
	}
	if copyErr != nil {
		return fmt.Errorf("copy output of %s: %w", x.cmd[0], copyErr)
	}
	if readErr != nil && !errors.Is(readErr, io.ErrClosedPipe) {
		return fmt.Errorf("copy input to %s: %w", x.cmd[0], readErr)
	}
	return nil
}

// execStatus waits for an exec whose streams ended to be reported done and
// returns its exit status.
func (r *Runtime) execStatus(ctx context.Context, execID string) (int, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := r.cli.ContainerExecInspect(ctx, execID)
		if err != nil {
			return 0, r.wrap("inspect exec", err)
		}
		if !info.Running {
			return info.ExitCode, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("inspect exec: still running 10 s after its output ended")
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tailBuffer keeps the last max bytes written to it (between max and 2*max
// while writing).
type tailBuffer struct {
	max int
	buf []byte
}

// Write keeps p's end.
func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > t.max {
		p = p[len(p)-t.max:]
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return n, nil
}

// lastLines returns up to n of the last non-empty lines kept, joined by
// "; ", printable.
func (t *tailBuffer) lastLines(n int) string {
	var lines []string
	for _, l := range strings.Split(string(bytes.ToValidUTF8(t.buf, []byte("?"))), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
