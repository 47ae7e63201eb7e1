package docker

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/quayside/quayside/engine"
)

// lineBuilder turns the output of one stream (stdout or stderr) of a
// container, arriving in pieces, into LogLines. A line is delivered when
// its newline arrives, or at the end of the stream. Docker cuts lines
// longer than 16 KiB into partial messages; they arrive as consecutive
// pieces of the stream without newlines and are joined here again. A line
// whose printable text grows past engine.MaxLogLineBytes is delivered in
// pieces of at most that many bytes, cut at rune boundaries, as soon as
// each piece is full; every piece but the last ends with
// engine.LogContinuedMarker. After engine.MaxLogLineTotal bytes the rest of
// the line is dropped and counted in the last piece's truncation marker.
// All pieces of a line carry the time of its first byte.
type lineBuilder struct {
	// line is what every line of the stream carries; emit sets Text.
	line      engine.LogLine
	deliver   func(engine.LogLine)
	text      []byte // printable text of the open line not yet delivered
	printable printable
	// frameTime is the time of the message being read; open says a line
	// has started (line.Time is its time).
	frameTime time.Time
	open      bool
	// kept is how many bytes of the open line were delivered; dropped how
	// many were cut after MaxLogLineTotal.
	kept, dropped int
}

// newLineBuilder delivers lines like line (Time and Text set per line).
func newLineBuilder(line engine.LogLine, deliver func(engine.LogLine)) *lineBuilder {
	return &lineBuilder{line: line, deliver: deliver, text: make([]byte, 0, 4<<10)}
}

// begin starts a message of time t: lines that start in it get that time.
func (b *lineBuilder) begin(t time.Time) { b.frameTime = t }

// write takes the next piece of output.
func (b *lineBuilder) write(p []byte) {
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			b.add(p)
			return
		}
		b.add(p[:i])
		b.end()
		p = p[i+1:]
	}
}

// flush delivers the open line, if any, as if its newline had come.
func (b *lineBuilder) flush() {
	if b.open {
		b.end()
	}
}

// add appends p (no newline in it) to the open line, delivering full
// pieces. It takes p at most MaxLogLineBytes at a time to bound b.text.
func (b *lineBuilder) add(p []byte) {
	if len(p) == 0 {
		return
	}
	b.start()
	for len(p) > 0 {
		if b.kept+len(b.text) >= engine.MaxLogLineTotal {
			b.dropped += len(p)
			return
		}
		n := min(len(p), engine.MaxLogLineBytes)
		b.text = b.printable.append(b.text, p[:n])
		p = p[n:]
		b.split()
	}
}

// start opens a line, if none is open, at the current message's time.
func (b *lineBuilder) start() {
	if !b.open {
		b.line.Time, b.open = b.frameTime, true
	}
}

// pieceBytes is the text of a piece of a split line, its marker aside.
const pieceBytes = engine.MaxLogLineBytes - len(engine.LogContinuedMarker)

// split delivers full pieces, marked as continued, while the open line is
// too long to keep. What is past MaxLogLineTotal is counted as dropped.
func (b *lineBuilder) split() {
	for len(b.text) > engine.MaxLogLineBytes {
		cut := pieceBytes
		for !utf8.RuneStart(b.text[cut]) {
			cut--
		}
		b.emit(append(b.text[:cut:cut], engine.LogContinuedMarker...))
		b.kept += cut
		b.text = b.text[:copy(b.text, b.text[cut:])]
	}
	if over := b.kept + len(b.text) - engine.MaxLogLineTotal; over > 0 {
		keep := len(b.text) - over
		for keep > 0 && !utf8.RuneStart(b.text[keep]) {
			keep--
		}
		b.dropped += len(b.text) - keep
		b.text = b.text[:keep]
	}
}

// end delivers the rest of the open line (opening an empty one if none),
// with the truncation marker when some of it was dropped.
func (b *lineBuilder) end() {
	b.start()
	b.text = b.printable.finish(b.text)
	b.split()
	if b.dropped > 0 {
		tail := engine.LogTruncatedMarker(b.dropped)
		if len(b.text)+len(tail) > engine.MaxLogLineBytes {
			cut := pieceBytes
			for !utf8.RuneStart(b.text[cut]) {
				cut--
			}
			b.emit(append(b.text[:cut:cut], engine.LogContinuedMarker...))
			b.text = b.text[:copy(b.text, b.text[cut:])]
		}
		b.text = append(b.text, tail...)
	}
	b.emit(b.text)
	b.text, b.open, b.kept, b.dropped = b.text[:0], false, 0, 0
}

// emit delivers text as a line.
func (b *lineBuilder) emit(text []byte) {
	l := b.line
	l.Text = string(text)
	b.deliver(l)
}
