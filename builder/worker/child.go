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
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/quayside/quayside/engine"
)

// NewBuilder makes the child's builder from the config the parent passed
// to Runner.Build; close releases what it holds.
type NewBuilder func(ctx context.Context, config json.RawMessage, log *slog.Logger) (b engine.Builder, close func(), err error)

// Exit statuses of Serve.
const (
	ExitOK      = 0 // a result was sent, success or failure
	ExitBadCall = 2 // no request could be read, or no builder made
	ExitGrace   = 3 // told to stop, the build did not end within the grace period
)

// parentPoll is how often the child checks that its parent is alive.
var parentPoll = time.Second

// Serve is the child's side: it reads the request from in, makes the
// builder with newBuilder and runs the build, the source read from src
// and the output lines and the result written as messages to msgs. It
// returns the process's exit status. The build stops when ctx ends (the
// caller cancels it on SIGTERM) or the parent is gone; if it has not
// ended grace later, Serve exits the process with ExitGrace. Logs go to
// log (the caller gives a JSON handler on stderr). Serve ignores SIGPIPE
// for the rest of the process.
func Serve(ctx context.Context, in io.Reader, src io.Reader, msgs io.Writer, log *slog.Logger, grace time.Duration, newBuilder NewBuilder) int {
	// Once the parent is gone its ends of stdout and stderr are too: the
	// child must still clean up, not die of SIGPIPE at its next log line.
	signal.Ignore(syscall.SIGPIPE)
	var req request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		log.Error("read build request", "err", err)
		return ExitBadCall
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go watchParent(ctx, cancel, req.Parent)
	stop := context.AfterFunc(ctx, func() { exitAfter(grace, log) })
	defer stop()
	b, closeBuilder, err := newBuilder(ctx, req.Config, log)
	if err != nil {
		log.Error("make builder", "err", err)
		return ExitBadCall
	}
	defer closeBuilder()
	w := &messageWriter{enc: json.NewEncoder(msgs)}
	req.Build.Source = &streamSource{r: src}
	req.Build.Output = w
	img, err := b.Build(ctx, req.Build)
	w.result(img, err, ctx.Err() != nil)
	return ExitOK
}

// watchParent cancels when the process's parent is no longer parent (it
// died, and the child was handed to another process).
func watchParent(ctx context.Context, cancel context.CancelFunc, parent int) {
	t := time.NewTicker(parentPoll)
	defer t.Stop()
	for {
		if os.Getppid() != parent {
			cancel()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// exitAfter exits the process with ExitGrace after grace: a build told to
// stop must not linger.
func exitAfter(grace time.Duration, log *slog.Logger) {
	time.AfterFunc(grace, func() {
		log.Error("the build did not stop within its grace period after being told to", "grace", grace)
		os.Exit(ExitGrace)
	})
}

// messageWriter writes the build's output to the parent, one message per
// line. The cnb builder writes one whole line per Write; other writers'
// lines are split, and a last partial line is sent with the result.
type messageWriter struct {
	mu      sync.Mutex
	enc     *json.Encoder
	partial []byte
	err     error
}

// Write implements io.Writer.
func (w *messageWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), w.err
		}
		w.send(message{Line: ptr(string(w.partial[:i]))})
		w.partial = w.partial[i+1:]
	}
}

// result sends the unterminated last line and the result; stopped says
// the build was told to stop.
func (w *messageWriter) result(img *engine.Image, err error, stopped bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.send(message{Line: ptr(string(w.partial))})
		w.partial = nil
	}
	switch {
	case err != nil:
		w.send(message{Error: toWire(err, stopped)})
	case img == nil:
		w.send(message{Error: toWire(errors.New("build image: the builder returned no image"), stopped)})
	default:
		w.send(message{Image: img})
	}
}

// send encodes m; the first error is kept and stops the sending.
func (w *messageWriter) send(m message) {
	if w.err == nil {
		if err := w.enc.Encode(m); err != nil {
			w.err = fmt.Errorf("send to the daemon: %w", err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// errReadOnce is what a second read of a streamSource returns.
var errReadOnce = errors.New("read source: a build worker's source is one tar stream, readable once")

// streamSource is the engine.Source of a child: the parent's archive of the
// commit's tree, streamed once through a pipe.
type streamSource struct {
	mu   sync.Mutex
	r    io.Reader
	used bool
}

// Archive copies the stream to w; it can be called once.
func (s *streamSource) Archive(ctx context.Context, w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used {
		return errReadOnce
	}
	s.used = true
	if _, err := io.Copy(w, s.r); err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	return ctx.Err()
}

// ReadFile is not served: a child builds from the archive only (the
// parent reads files of the source before it starts the child).
func (s *streamSource) ReadFile(context.Context, string) ([]byte, error) {
	return nil, errReadOnce
}
