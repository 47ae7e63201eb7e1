package cnb

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/quayside/quayside/engine"
)

// Output limits.
const (
	tailLines    = 20       // lines kept for the message of a failed build
	keptLines    = 400      // lines kept to find the detection's report in
	maxLineBytes = 64 << 10 // a longer unterminated line is cut and relayed
)

// droppedLines start lines of pack's that are advice for its command
// line, meaningless to a pusher: the "running in a container" warning
// suggests --pull-policy=always, which would pull from a registry.
var droppedLines = []string{"Warning: Detected pack is running in a container"}

// droppedParts are parts of lines that are noise to a pusher wherever they
// appear: the exporter's six warnings per build that a lifecycle built from
// source ships no SBOM of itself and its launcher.
var droppedParts = []string{"Did not find SBOM "}

// ansi matches terminal colour and style sequences, which the pusher's
// terminal may not understand and the kept lines should not hold.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// output relays what pack and the lifecycle print to the build's writer,
// one whole line per Write, flushing after each when the writer can, and
// keeps the last lines. It is safe for concurrent use. A write error stops
// the relaying, not the build: the output is for watching.
type output struct {
	mu      sync.Mutex
	w       io.Writer
	partial []byte
	kept    []string // last keptLines lines, oldest first
	werr    error
	closed  bool   // after Close, writes are dropped
	steps   *steps // rewrites the lifecycle's lines into steps for the writer
}

// newOutput relays to w; a nil w discards.
func newOutput(w io.Writer) *output {
	if w == nil {
		w = io.Discard
	}
	return &output{w: w, steps: &steps{now: time.Now}}
}

// Write implements io.Writer: p may hold several lines or part of one.
// After Close it drops p.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return len(p), nil
	}
	rest := p
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		if room := maxLineBytes - len(o.partial); i > room {
			o.partial = append(o.partial, rest[:room]...)
			o.flushPartial()
			rest = rest[room:]
			continue
		}
		o.partial = append(o.partial, rest[:i]...)
		if i == len(rest) {
			break
		}
		o.flushPartial()
		rest = rest[i+1:]
	}
	return len(p), nil
}

// Line relays one line of Quayside's own.
func (o *output) Line(line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed {
		o.keep(line)
		o.write(line)
	}
}

// Done relays the summary of the last phase of a build that succeeded.
func (o *output) Done() {
	o.Finish()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	for _, l := range o.steps.finish() {
		o.write(l)
	}
}

// Finish relays an unterminated last line.
func (o *output) Finish() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 && !o.closed {
		o.flushPartial()
	}
}

// Close finishes the output: nothing reaches the writer afterwards, such as
// what a cancelled container still prints while pack lets go of it.
func (o *output) Close() {
	o.Finish()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
}

// Tail returns the last n lines kept, joined by newlines.
func (o *output) Tail(n int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.kept[max(0, len(o.kept)-n):], "\n")
}

// Lines returns the lines kept, oldest first.
func (o *output) Lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.kept...)
}

// flushPartial relays the collected partial line.
func (o *output) flushPartial() {
	line := string(o.partial)
	o.partial = o.partial[:0]
	o.line(line)
}

// line keeps one line of pack's or the lifecycle's and relays what steps
// makes of it.
func (o *output) line(line string) {
	line = ansi.ReplaceAllString(strings.TrimRight(line, "\r"), "")
	for _, d := range droppedLines {
		if strings.HasPrefix(line, d) {
			return
		}
	}
	for _, d := range droppedParts {
		if strings.Contains(line, d) {
			return
		}
	}
	o.keep(line)
	for _, l := range o.steps.rewrite(line) {
		o.write(l)
	}
}

// keep keeps line among the last keptLines.
func (o *output) keep(line string) {
	if len(o.kept) == keptLines {
		o.kept = append(o.kept[:0], o.kept[1:]...)
	}
	o.kept = append(o.kept, line)
}

// write relays one line to the writer, unless writing failed before.
func (o *output) write(line string) {
	if o.werr != nil {
		return
	}
	if _, err := io.WriteString(o.w, line+"\n"); err != nil {
		o.werr = err
		return
	}
	engine.Flush(o.w)
}
