package engine

import (
	"strings"
	"unicode/utf8"
)

// CleanText is the one sanitizer of text that reaches a terminal: build
// and deploy output, logs and events are stored through it, and the CLI
// prints server-provided text through it. It returns s as valid UTF-8 with
// nothing a terminal would act on, except plain colours:
//
//   - SGR sequences (ESC [ digits and ; only, ending in m) are kept;
//   - every other escape sequence is removed whole: CSI (cursor movement,
//     device status and attribute queries such as ESC[6n and ESC[c, mode
//     changes), OSC (window titles, OSC 52 clipboard writes, hyperlinks),
//     DCS, SOS, PM and APC strings, and two-byte escapes such as ESC c;
//     an unterminated string sequence ends at the end of its line;
//   - a carriage return ending a line is removed; any other (which could
//     make a line overwrite what was shown) becomes U+FFFD, as do other C0
//     controls, DEL, C1 controls (U+0080 to U+009F) and invalid bytes;
//     newlines and tabs are kept.
//
// CleanText(CleanText(s)) == CleanText(s).
func CleanText(s string) string { return cleanText(s, true) }

// PlainText is CleanText without colours: for output that is not a
// terminal, and for one-line cells of a table.
func PlainText(s string) string { return cleanText(s, false) }

func cleanText(s string, colour bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			n, sgr := escapeLen(s[i:])
			if sgr && colour {
				b.WriteString(s[i : i+n])
			}
			i += n
		case c == '\r' && (i+1 == len(s) || s[i+1] == '\n'):
			i++
		case c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f):
			b.WriteByte(c)
			i++
		case c < utf8.RuneSelf: // other C0 controls, DEL
			b.WriteRune(utf8.RuneError)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x80 && r < 0xa0 {
				r = utf8.RuneError
			}
			b.WriteRune(r)
			i += size
		}
	}
	return b.String()
}

// isPlain reports whether s has nothing CleanText changes: printable ASCII,
// tabs, newlines, and valid UTF-8 without C1 controls.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return plainUTF8(s[i:])
		case c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f):
		default:
			return false
		}
	}
	return true
}

func plainUTF8(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) {
			return false
		}
	}
	return true
}

// escapeLen returns the length of the escape sequence at the start of s
// (which starts with ESC) and whether it is a plain colour (SGR).
func escapeLen(s string) (n int, sgr bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch c := s[1]; {
	case c == '[':
		return csiLen(s)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return stringLen(s), false
	case c >= 0x20 && c <= 0x2f: // nF: intermediates, then a final byte
		i := 2
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i, false
	case c >= 0x30 && c <= 0x7e: // Fp, Fe, Fs: ESC 7, ESC c, ESC M, ...
		return 2, false
	}
	return 1, false // a lone ESC
}

// csiLen measures ESC [ parameters, intermediates, final byte. A sequence
// broken by any other byte ends before it.
func csiLen(s string) (int, bool) {
	i := 2
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	params := s[2:i]
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i == len(s) || s[i] < 0x40 || s[i] > 0x7e {
		return i, false
	}
	sgr := s[i] == 'm' && i == 2+len(params) && strings.Trim(params, "0123456789;") == ""
	return i + 1, sgr
}

// stringLen measures an OSC, DCS, SOS, PM or APC string: up to and
// including its terminator (BEL, ESC \ or U+009C), or up to the end of
// its line when it has none.
func stringLen(s string) int {
	for i := 2; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		case s[i] == '\n':
			return i
		}
	}
	return len(s)
}
