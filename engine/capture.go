package engine

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"
)

// maxCapture bounds the output kept per release in memory while it runs.
const maxCapture = 2 << 20

// capture keeps a copy of a release's output, up to maxCapture bytes (the
// end is kept when it overflows).
type capture struct {
	mu  sync.Mutex
	buf []byte
	cut bool
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	if len(c.buf) > maxCapture {
		c.buf = append(c.buf[:0], c.buf[len(c.buf)-maxCapture/2:]...)
		c.cut = true
	}
	return len(p), nil
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut {
		return "[... the start of the output was cut ...]\n" + string(c.buf)
	}
	return string(c.buf)
}

// ProcessBuild is the process name of build and deploy output in an app's
// log stream: the dashboard follows a deploy in progress through it.
const ProcessBuild = "build"

// recordingOutput returns a progress writer that also captures what it
// writes (finishRelease stores the capture with the release) and shows it
// in app's log stream as process "build". What reaches w (the pusher's
// terminal) passes through a CleanWriter.
func (e *Engine) recordingOutput(app string, w io.Writer) (*progress, *capture) {
	c := &capture{}
	if w == nil {
		w = io.Discard
	} else {
		w = NewCleanWriter(w)
	}
	live := e.newLogWriter(LogLine{App: app, Process: ProcessBuild, Stream: StreamPlatform})
	return newProgress(io.MultiWriter(w, c, live)), c
}

// finishRelease stores rel's output, made clean by CleanText, and emits
// the event that ends it.
func (e *Engine) finishRelease(ctx context.Context, rel *Release, c *capture, err error) {
	if rel == nil || rel.Number == 0 {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := e.cfg.Store.SaveReleaseOutput(sctx, rel.App, rel.Number, CleanText(c.String())); serr != nil {
		e.log.Error("save release output", "app", rel.App, "release", rel.Number, "err", serr)
	}
	e.emit(sctx, releaseEvent(rel, err))
}

// ReleaseOutput returns the build output and deploy steps of a release.
func (e *Engine) ReleaseOutput(ctx context.Context, app string, number int) (string, error) {
	if _, err := e.FindApp(ctx, app); err != nil {
		return "", err
	}
	if _, err := e.cfg.Store.FindRelease(ctx, app, number); err != nil {
		return "", err
	}
	return e.cfg.Store.ReleaseOutput(ctx, app, number)
}

func itoa(n int) string { return strconv.Itoa(n) }
