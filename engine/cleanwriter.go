package engine

import (
	"bytes"
	"io"
	"sync"
	"unicode/utf8"
)

// maxHeldEscape bounds what a CleanWriter holds back waiting for the end
// of an escape sequence; a longer one is cleaned as it stands.
const maxHeldEscape = 4 << 10

// CleanWriter passes a stream through CleanText: what it writes to the
// underlying writer is what CleanText makes of everything written so far.
// An escape sequence, a rune or a CR-LF cut by the end of a write is held
// back until the next write completes it (at most maxHeldEscape bytes).
// What is held when the stream ends is an unfinished escape sequence, a
// cut rune or a carriage return: nothing that would be printed. It is safe
// for concurrent use.
type CleanWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held []byte
}

// NewCleanWriter returns a CleanWriter writing to w; a nil w discards.
func NewCleanWriter(w io.Writer) *CleanWriter {
	if w == nil {
		w = io.Discard
	}
	return &CleanWriter{w: w}
}

// Write cleans p (after what was held) and writes it; it reports len(p)
// unless the underlying writer fails.
func (c *CleanWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := append(c.held, p...)
	cut := completeUpTo(buf)
	if len(buf)-cut > maxHeldEscape {
		cut = len(buf)
	}
	out := CleanText(string(buf[:cut]))
	c.held = append([]byte(nil), buf[cut:]...)
	if out == "" {
		return len(p), nil
	}
	if _, err := io.WriteString(c.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// completeUpTo returns how much of b can be cleaned now: all of it but an
// escape sequence that may go on in the next write, a rune cut short, or a
// carriage return at the end.
func completeUpTo(b []byte) int {
	cut := len(b)
	if i := bytes.LastIndexByte(b, 0x1b); i >= 0 && unfinished(string(b[i:])) {
		cut = i
	}
	if start := lastRuneStart(b[:cut]); start < cut && !utf8.FullRune(b[start:cut]) {
		cut = start
	}
	if cut > 0 && b[cut-1] == '\r' {
		cut--
	}
	return cut
}

// unfinished reports whether the escape sequence s would take more bytes:
// whether one more byte, which any unfinished kind of sequence takes,
// would be part of it.
func unfinished(s string) bool {
	n, _ := escapeLen(s + "A")
	return n > len(s)
}

// lastRuneStart returns the index of the last byte of b that starts a
// rune, looking back at most utf8.UTFMax bytes; len(b) when there is none.
func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return len(b)
}
