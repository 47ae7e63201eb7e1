package docker

import (
	"bytes"
	"io"
	"regexp"

	"github.com/quayside/quayside/engine"
)

// tiniExecRe matches the line docker-init (tini) prints when it cannot exec
// the command: "[FATAL tini (7)] exec /nope failed: No such file or directory".
var tiniExecRe = regexp.MustCompile(`^\[FATAL tini \(\d+\)\] exec (.+) failed: (.+?)\s*$`)

// tiniPrefix starts every fatal report of docker-init.
const tiniPrefix = "[FATAL tini ("

// maxHeld bounds the start of stderr held back while it may still be
// docker-init's report.
const maxHeld = 4 << 10

// runOutput relays a one-off container's output to w, flushing after each
// write when w can. A write error stops the relaying, not the reading, so
// the container never blocks on a writer that went away. It holds back the
// start of stderr while that may be docker-init's report of a command it
// could not exec (which Run turns into an error instead): that report, if
// any, is the first thing on stderr, arriving in one or more pieces. One
// goroutine writes; outcome is called after it ended.
type runOutput struct {
	w    io.Writer
	werr error
	// head is the start of stderr, held back; headDone means stderr passes.
	head     []byte
	headDone bool
	// command and reason are docker-init's exec failure report.
	command, reason string
}

// newRunOutput relays to w; a nil w discards.
func newRunOutput(w io.Writer) *runOutput {
	if w == nil {
		w = io.Discard
	}
	return &runOutput{w: w}
}

// stdout relays p.
func (o *runOutput) stdout(p []byte) (int, error) {
	if o.werr != nil {
		return len(p), nil
	}
	if _, err := o.w.Write(p); err != nil {
		o.werr = err
		return len(p), nil
	}
	engine.Flush(o.w)
	return len(p), nil
}

// stderr relays p, unless stderr so far may be docker-init's report.
func (o *runOutput) stderr(p []byte) (int, error) {
	if o.headDone {
		return o.stdout(p)
	}
	o.head = append(o.head, p...)
	if !couldBeTini(o.head) {
		o.releaseHead()
		return len(p), nil
	}
	line, _, _ := bytes.Cut(o.head, []byte("\n"))
	if m := tiniExecRe.FindSubmatch(line); m != nil && o.command == "" {
		o.command, o.reason = string(m[1]), string(m[2])
	}
	return len(p), nil
}

// releaseHead relays the held start of stderr and lets the rest pass.
func (o *runOutput) releaseHead() {
	head := o.head
	o.head, o.headDone = nil, true
	if len(head) > 0 {
		_, _ = o.stdout(head)
	}
}

// couldBeTini reports whether the start of stderr h is, or may still turn
// out to be, docker-init's report of a failed exec.
func couldBeTini(h []byte) bool {
	n := min(len(h), len(tiniPrefix))
	if string(h[:n]) != tiniPrefix[:n] {
		return false
	}
	line, _, complete := bytes.Cut(h, []byte("\n"))
	if !complete {
		return len(h) <= maxHeld
	}
	return tiniExecRe.Match(line)
}

// outcome is Run's result for a container that exited with code: EINVALID
// when docker-init could not exec the command, else code. Held output that
// was not docker-init's report is relayed.
func (o *runOutput) outcome(code int) (int, error) {
	if o.command != "" && (code == exitCannotExec || code == exitNotFound) {
		return code, engine.Errorf(engine.EINVALID,
			"cannot run %q: %s; check the command, and that the image has it and it is executable", o.command, lowerFirst(o.reason))
	}
	o.releaseHead()
	return code, nil
}

// writerFunc is a function as an io.Writer.
type writerFunc func(p []byte) (int, error)

// Write calls f.
func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
