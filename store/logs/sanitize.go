package logs

import (
	"strings"
	"unicode/utf8"

	"github.com/quayside/quayside/engine"
)

// ContinuedMarker ends every piece of a split line but the last, so readers
// can join the pieces again.
const ContinuedMarker = engine.LogContinuedMarker

// MaxLineBytes is how much of one line (after cleaning) is kept, in pieces of
// engine.MaxLogLineBytes; the rest is cut and counted in the last piece's
// " [truncated N bytes]" marker.
const MaxLineBytes = engine.MaxLogLineTotal

// maxLabelBytes bounds Process and Stream, which come from Quayside itself.
const maxLabelBytes = 64

// cleanText makes s safe to store and print: engine.CleanText, the one
// sanitizer (valid UTF-8, plain colours kept, every other escape sequence
// removed, carriage returns dropped, other controls U+FFFD).
func cleanText(s string) string { return engine.CleanText(s) }

// splitText turns the raw text of one line into the texts of the stored
// lines: one per line of s, each cleaned and split to fit
// engine.MaxLogLineBytes.
func splitText(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		out = append(out, splitLong(cleanText(line))...)
	}
	return out
}

// splitLong splits a clean line longer than engine.MaxLogLineBytes into
// pieces, marking all but the last with ContinuedMarker, and cuts it after
// MaxLineBytes.
func splitLong(s string) []string {
	if len(s) <= engine.MaxLogLineBytes {
		return []string{s}
	}
	cut := 0
	if len(s) > MaxLineBytes {
		keep := runeStart(s, MaxLineBytes)
		cut, s = len(s)-keep, s[:keep]
	}
	var out []string
	for len(s) > 0 {
		piece, rest := nextPiece(s, cut)
		out = append(out, piece)
		s = rest
	}
	return out
}

// nextPiece takes the first piece of s; cut is how many bytes were cut from
// the end of the whole line, announced by the last piece.
func nextPiece(s string, cut int) (piece, rest string) {
	tail := ""
	if cut > 0 {
		tail = engine.LogTruncatedMarker(cut)
	}
	if len(s)+len(tail) <= engine.MaxLogLineBytes {
		return s + tail, ""
	}
	n := runeStart(s, engine.MaxLogLineBytes-len(ContinuedMarker))
	return s[:n] + ContinuedMarker, s[n:]
}

// runeStart returns the largest index <= n that starts a rune of s.
func runeStart(s string, n int) int {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// cleanLabel bounds and cleans a Process or Stream value.
func cleanLabel(s string) string {
	if len(s) > maxLabelBytes {
		s = s[:runeStart(s, maxLabelBytes)]
	}
	return cleanText(s)
}
