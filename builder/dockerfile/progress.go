package dockerfile

import (
	"io"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Progress limits.
const (
	tailLines    = 20       // lines kept for the error message of a failed build
	maxLineBytes = 64 << 10 // a longer unterminated line is cut and relayed
)

// progress relays build output to a writer one whole line per Write,
// flushing after each when the writer can, and keeps the last lines. A
// write error stops the relaying but not the build: the output is for
// watching, not needed for the result.
type progress struct {
	w       io.Writer
	partial strings.Builder
	tail    []string // last tailLines lines, oldest first
	prev    string   // last status line, to drop repeats
	werr    error
}

// newProgress relays to w; a nil w discards.
func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w}
}

// text relays stream text, which may hold several lines or part of one.
// A line longer than maxLineBytes is cut into several.
func (p *progress) text(s string) {
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			i = len(s)
		}
		if room := maxLineBytes - p.partial.Len(); i > room {
			p.partial.WriteString(s[:room])
			p.flushPartial()
			s = s[room:]
			continue
		}
		p.partial.WriteString(s[:i])
		if i == len(s) {
			return
		}
		p.flushPartial()
		s = s[i+1:]
	}
}

// status relays a status line unless it repeats the previous one.
func (p *progress) status(id, status string) {
	line := status
	if id != "" {
		line = id + ": " + status
	}
	if line == p.prev {
		return
	}
	p.prev = line
	p.finish()
	p.line(line)
}

// finish relays an unterminated last line.
func (p *progress) finish() {
	if p.partial.Len() > 0 {
		p.flushPartial()
	}
}

// last returns the kept lines, joined by newlines.
func (p *progress) last() string {
	return strings.Join(p.tail, "\n")
}

// flushPartial relays the collected partial line.
func (p *progress) flushPartial() {
	line := p.partial.String()
	p.partial.Reset()
	p.line(line)
}

// line relays one line and keeps it in the tail.
func (p *progress) line(line string) {
	line = strings.TrimRight(line, "\r")
	p.tail = append(p.tail, line)
	if len(p.tail) > tailLines {
		p.tail = p.tail[len(p.tail)-tailLines:]
	}
	if p.werr != nil {
		return
	}
	if _, err := io.WriteString(p.w, line+"\n"); err != nil {
		p.werr = err
		return
	}
	engine.Flush(p.w)
}
