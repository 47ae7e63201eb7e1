package docker

import "unicode/utf8"

// replacement is U+FFFD, what unprintable bytes become.
const replacement = "\uFFFD"

// plainASCII marks the bytes below utf8.RuneSelf that pass unchanged:
// printable ASCII, tab, and escape and BEL, which start and end escape
// sequences: the log store passes every line through engine.CleanText,
// which keeps plain colours and removes every other sequence whole (an
// OSC ended by BEL included).
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['\t'], t[0x1b], t[0x07] = true, true, true
	return t
}()

// printable makes output printable piece by piece: the result of feeding a
// line in any number of pieces equals that of feeding it whole. Invalid
// UTF-8 and control characters (C0 other than tab, escape and BEL, DEL, C1)
// become U+FFFD, one per byte Go's decoder rejects; a carriage return
// right before the end of the line is dropped. A rune cut by the end of a
// piece, and a carriage return ending one, are held back until the next
// piece or the end of the line. The zero value is ready.
type printable struct {
	carry [utf8.UTFMax]byte
	n     int
}

// append appends p, made printable, to dst.
func (s *printable) append(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	if s.n > 0 {
		dst, p = s.completeCarry(dst, p)
	}
	for len(p) > 0 {
		i := 0
		for i < len(p) && p[i] < utf8.RuneSelf && plainASCII[p[i]] {
			i++
		}
		dst, p = append(dst, p[:i]...), p[i:]
		if len(p) == 0 {
			break
		}
		if s.holds(p) {
			s.n = copy(s.carry[:], p)
			break
		}
		var size int
		dst, size = appendRune(dst, p)
		p = p[size:]
	}
	return dst
}

// holds reports whether p, the rest of a piece that starts with a byte
// that is not plain ASCII, must wait for the next piece: a lone carriage
// return, or the start of a rune cut short.
func (s *printable) holds(p []byte) bool {
	if p[0] == '\r' {
		return len(p) == 1
	}
	return p[0] >= utf8.RuneSelf && !utf8.FullRune(p)
}

// completeCarry appends the held bytes, completed by the start of p, and
// returns the rest of p. If p is still too short, it joins the carry.
func (s *printable) completeCarry(dst, p []byte) ([]byte, []byte) {
	var tmp [2 * utf8.UTFMax]byte
	n := copy(tmp[:], s.carry[:s.n])
	buf := tmp[:n+copy(tmp[n:], p)]
	s.n = 0
	pos := 0
	for pos < n {
		if s.holds(buf[pos:]) { // only when all of p is in buf
			s.n = copy(s.carry[:], buf[pos:])
			return dst, nil
		}
		var size int
		dst, size = appendRune(dst, buf[pos:])
		pos += size
	}
	return dst, p[pos-n:]
}

// appendRune appends the first rune of p, or U+FFFD when it is invalid or
// a control character, and returns how many bytes of p it took.
func appendRune(dst, p []byte) ([]byte, int) {
	if p[0] < utf8.RuneSelf {
		if plainASCII[p[0]] {
			return append(dst, p[0]), 1
		}
		return append(dst, replacement...), 1
	}
	r, size := utf8.DecodeRune(p)
	if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r < 0xa0) {
		return append(dst, replacement...), size
	}
	return append(dst, p[:size]...), size
}

// finish ends the line: a held carriage return is dropped, a held rune
// cut short becomes one U+FFFD.
func (s *printable) finish(dst []byte) []byte {
	held := s.carry[:s.n]
	s.n = 0
	if len(held) == 0 || (len(held) == 1 && held[0] == '\r') {
		return dst
	}
	return append(dst, replacement...)
}
