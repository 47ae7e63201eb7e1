package docker

import (
	"bytes"
	"context"
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
	name   string // the tool's name in errors; "" for cmd[0]
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
	in := &recordingReader{r: x.stdin}
	copied := make(chan struct{})
	if x.stdin != nil {
		go func() {
			defer close(copied)
			_, _ = io.Copy(resp.Conn, in)
			_ = resp.CloseWrite()
		}()
	} else {
		close(copied)
	}
	out := &recordingWriter{w: x.stdout}
	if x.stdout == nil {
		out.w = io.Discard
	}
	stderr := &tailBuffer{max: stderrKeep}
	_, copyErr := stdcopy.StdCopy(out, stderr, resp.Reader)
	resp.Close() // unblocks the stdin copy when the command stopped reading
	<-copied
	return r.execResult(ctx, created.ID, x.tool(), in.err, out.err, copyErr, stderr)
}

// execResult says how an exec ended, the most telling cause first: the
// context, the caller's writer or reader (the command then fails too, for
// want of its input or its pipe), the command's exit status, the stream.
func (r *Runtime) execResult(ctx context.Context, execID, tool string, readErr, writeErr, copyErr error, stderr *tailBuffer) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("run %s: %w", tool, ctx.Err())
	case writeErr != nil:
		return fmt.Errorf("write output of %s: %w", tool, writeErr)
	case readErr != nil:
		return fmt.Errorf("read input for %s: %w", tool, readErr)
	}
	status, err := r.execStatus(ctx, execID)
	if err != nil {
		return err
	}
	if status != 0 {
		return &ToolError{Tool: tool, Status: status, Stderr: stderr.lastLines(8)}
	}
	if copyErr != nil {
		return fmt.Errorf("read output of %s: %w", tool, copyErr)
	}
	return nil
}

// recordingReader keeps the first error of its reader other than io.EOF:
// a failure of the caller's input, not of the pipe to the command.
type recordingReader struct {
	r   io.Reader
	err error
}

func (rr *recordingReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// recordingWriter keeps the first error of its writer.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (rw *recordingWriter) Write(p []byte) (int, error) {
	n, err := rw.w.Write(p)
	if err != nil && rw.err == nil {
		rw.err = err
	}
	return n, err
}

// tool is the name errors give the command.
func (x toolRun) tool() string {
	if x.name != "" {
		return x.name
	}
	return x.cmd[0]
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
