package engine

import (
	"fmt"
	"io"
	"sync"
)

// progress writes deploy steps for a human watching, in the style git users
// know from Heroku: "-----> Step" and indented detail lines. It is safe for
// concurrent use, and a nil writer discards.
type progress struct {
	mu sync.Mutex
	w  io.Writer
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w}
}

// Step announces a new step.
func (p *progress) Step(format string, args ...any) { p.line("-----> ", format, args...) }

// Info adds detail to the current step.
func (p *progress) Info(format string, args ...any) { p.line("       ", format, args...) }

// Write passes raw output (such as a build log) through.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.Write(b)
}

func (p *progress) line(prefix, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, prefix+format+"\n", args...)
}
