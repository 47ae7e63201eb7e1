package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/quayside/quayside/engine"
)

// DefaultGrace is Runner.Grace when it is zero.
const DefaultGrace = 20 * time.Second

// SelfExe runs the daemon's own binary, even after an upgrade replaced
// the file: a child always speaks its parent's protocol.
const SelfExe = "/proc/self/exe"

// Runner starts build children; it implements the parent's side. It is
// safe for concurrent use: every Build has a child of its own.
type Runner struct {
	// Path and Args are the child's command, whose process runs Serve
	// (for Quayside: SelfExe, "internal", "build-worker").
	Path string
	Args []string
	// Env is the child's environment; nil means ChildEnv(os.Environ()).
	Env []string
	// Grace is how long a child has to stop after SIGTERM before it gets
	// SIGKILL; 0 means DefaultGrace.
	Grace time.Duration
	// Log receives the child's log records and the Runner's own; nil
	// discards them.
	Log *slog.Logger
}

// Build runs the build req in a new child, with config for the builder
// the child makes, relaying the child's output lines to req.Output as they
// come (flushing after each). It returns the child's result; the error of
// a failed build is the child's, with the same text, code and message. When
// ctx ends it stops the child (SIGTERM to its process group, SIGKILL after
// Grace), waits for it and returns "build image: " and ctx's error. A child
// that ends without a result (it crashed, or was killed) is EDEPLOYFAILED
// saying so, with the last lines of output.
func (r *Runner) Build(ctx context.Context, config any, req engine.BuildRequest) (*engine.Image, error) {
	in, err := encodeRequest(config, req)
	if err != nil {
		return nil, err
	}
	c, err := r.start(in)
	if err != nil {
		return nil, err
	}
	defer c.cleanup()
	fed := make(chan error, 1)
	go func() { fed <- c.feed(ctx, req.Source) }()
	go c.stopWhenDone(ctx, r.grace())
	res := c.relay(req.Output)
	exit := <-c.exited
	img, err := r.outcome(ctx, res, exit, c.tail)
	if err != nil && ctx.Err() == nil {
		return nil, archiveFailure(<-fed, err)
	}
	return img, err
}

// archiveFailure is the error of a failed build whose source could not
// be archived: the archive's own *engine.Error (a source's message for
// users, such as a tree too large), unless the build's error err has one
// of its own; else err. Other archive errors are what a child that stopped
// reading does to the archive (git gets a broken pipe), not a cause.
func archiveFailure(archiveErr, err error) error {
	var archived, built *engine.Error
	if errors.As(archiveErr, &archived) && !errors.As(err, &built) {
		return archived
	}
	return err
}

// encodeRequest is the child's stdin: config and every field of req but
// Source and Output.
func encodeRequest(config any, req engine.BuildRequest) ([]byte, error) {
	cfg, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("encode build worker config: %w", err)
	}
	req.Source, req.Output = nil, nil
	in, err := json.Marshal(request{Config: cfg, Build: req, Parent: os.Getpid()})
	if err != nil {
		return nil, fmt.Errorf("encode build request: %w", err)
	}
	return in, nil
}

// grace is Grace or its default.
func (r *Runner) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return DefaultGrace
}

// log is Log or a logger that discards.
func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// outcome is Build's result: ctx's end first, then the child's result,
// then why the child ended without one.
func (r *Runner) outcome(ctx context.Context, res *message, exit error, tail *tail) (*engine.Image, error) {
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("build image: %w", ctx.Err())
	case res != nil && res.Image != nil:
		return res.Image, nil
	case res != nil && res.Error != nil && !res.Error.Stopped:
		return nil, res.Error.err()
	}
	how := describeExit(exit)
	if res != nil && res.Error != nil {
		how = "it was told to stop from outside Quayside"
	}
	r.log().Warn("build worker ended without a result", "exit", fmt.Sprint(exit))
	msg := "the build stopped unexpectedly: " + how + ". Push again; if it happens again, " +
		"the server may be short of memory (see quayside doctor and the daemon log)."
	if t := tail.String(); t != "" {
		msg += "\n\nLast lines of the build output:\n" + t
	}
	return nil, engine.Wrapf(fmt.Errorf("build worker: %v", exit), engine.EDEPLOYFAILED, "%s", msg)
}

// describeExit says in words how a child ended.
func describeExit(err error) string {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		if err == nil {
			return "its process ended without a result"
		}
		return "its process failed: " + err.Error()
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGKILL {
			return "its process was killed (SIGKILL: the kernel's out-of-memory killer, or an operator)"
		}
		return "its process was killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("its process exited with status %d", ee.ExitCode())
}

// child is one running child.
type child struct {
	cmd      *exec.Cmd
	src      *os.File // the parent's end of the source pipe
	msgs     *os.File // the parent's end of the message pipe
	exited   chan error
	finished chan struct{} // closed once the child has exited
	tail     *tail
}

// start starts the child with in on its stdin. The goroutine that starts
// it stays on its OS thread until the child has exited: Pdeathsig fires
// when the thread that started the child ends, not the process.
func (r *Runner) start(in []byte) (*child, error) {
	srcR, srcW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("make source pipe: %w", err)
	}
	msgR, msgW, err := os.Pipe()
	if err != nil {
		srcR.Close()
		srcW.Close()
		return nil, fmt.Errorf("make message pipe: %w", err)
	}
	cmd := r.command(in, srcR, msgW)
	c := &child{cmd: cmd, src: srcW, msgs: msgR, exited: make(chan error, 1), finished: make(chan struct{}), tail: &tail{}}
	started := make(chan error, 1)
	go c.run(started)
	err = <-started
	srcR.Close()
	msgW.Close()
	if err != nil {
		srcW.Close()
		msgR.Close()
		return nil, fmt.Errorf("start build worker: %w", err)
	}
	return c, nil
}

// command is the child's command: its own process group, SIGTERM when
// the parent dies, the source and message pipes as fds 3 and 4.
func (r *Runner) command(in []byte, src, msgs *os.File) *exec.Cmd {
	cmd := exec.Command(r.Path, r.Args...)
	cmd.Env = r.Env
	if cmd.Env == nil {
		cmd.Env = ChildEnv(os.Environ())
	}
	cmd.Stdin = bytes.NewReader(in)
	logs := &logRelay{log: r.log()}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.ExtraFiles = []*os.File{src, msgs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	return cmd
}

// run starts the child, reports the start on started and then its exit
// on c.exited, on one locked OS thread throughout.
func (c *child) run(started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := c.cmd.Start(); err != nil {
		started <- err
		return
	}
	started <- nil
	err := c.cmd.Wait()
	close(c.finished)
	c.exited <- err
}

// feed writes src's archive to the child, then closes the pipe, and
// returns the archive's error; a child that stops reading (or ends) ends
// the archive with EPIPE or a cancelled context. A nil src gives an empty
// stream.
func (c *child) feed(ctx context.Context, src engine.Source) error {
	defer c.src.Close()
	if src == nil {
		return nil
	}
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.finished:
			cancel()
		case <-actx.Done():
		}
	}()
	return src.Archive(actx, c.src)
}

// stopWhenDone stops the child's process group once ctx ends: SIGTERM,
// then SIGKILL after grace. It returns when the child has exited.
func (c *child) stopWhenDone(ctx context.Context, grace time.Duration) {
	select {
	case <-c.finished:
		return
	case <-ctx.Done():
	}
	pgid := c.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.finished:
	case <-t.C:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// relay reads the child's messages until the child closes its end,
// writing output lines to out, and returns the result message (nil when
// there was none).
func (c *child) relay(out io.Writer) *message {
	if out == nil {
		out = io.Discard
	}
	var res *message
	dec := json.NewDecoder(c.msgs)
	for {
		var m message
		if err := dec.Decode(&m); err != nil {
			return res
		}
		switch {
		case m.Line != nil:
			c.tail.add(*m.Line)
			if _, err := io.WriteString(out, *m.Line+"\n"); err == nil {
				engine.Flush(out)
			}
		case m.Image != nil || m.Error != nil:
			res = &m
		}
	}
}

// cleanup closes the parent's ends of the pipes.
func (c *child) cleanup() {
	c.msgs.Close()
}

// tailLines is how many output lines a crashed build's message shows.
const tailLines = 20

// tail keeps the last tailLines lines relayed.
type tail struct{ lines []string }

func (t *tail) add(l string) {
	if len(t.lines) == tailLines {
		t.lines = append(t.lines[:0], t.lines[1:]...)
	}
	t.lines = append(t.lines, l)
}

func (t *tail) String() string { return strings.Join(t.lines, "\n") }
