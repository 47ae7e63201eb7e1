package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
)

// This file reads the common response head without http.ReadResponse:
// HTTP/1.1, a final status, field lines in canonical or plain form, framed
// by one Content-Length or by chunked, the whole head already in the
// connection's buffer. Its fields go straight into the client's header
// map: no intermediate map, one string for all values, one slice for all
// value lists. Anything else (1xx, HTTP/1.0, obs-fold, duplicate
// Content-Length, other transfer codings, Trailer, fields named in
// Connection, a head split across reads) is left unread for
// http.ReadResponse, so the fast path only ever accepts what it fully
// understands.

var errFastFallback = errors.New("not a plain response head")

// internedKeys are canonical field names the fast path does not allocate.
var internedKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept-Ranges", "Access-Control-Allow-Origin", "Age", "Cache-Control", "Content-Disposition",
		"Content-Encoding", "Content-Language", "Content-Length", "Content-Security-Policy", "Content-Type",
		"Date", "Etag", "Expires", "Last-Modified", "Link", "Location", "Pragma", "Referrer-Policy",
		"Server", "Set-Cookie", "Strict-Transport-Security", "Vary", "Via", "X-Content-Type-Options",
		"X-Frame-Options", "X-Powered-By", "X-Request-Id", "X-Xss-Protection",
	} {
		m[k] = k
	}
	return m
}()

// fastHead is what readFastHead learned about the response's framing.
type fastHead struct {
	status  int
	length  int64 // -1 unless Content-Length was given
	chunked bool
	close   bool
}

// readFastHead parses the response head at the start of uc's buffer into
// h and consumes it, or returns errFastFallback having consumed and
// stored nothing (h is left empty). It waits for the first bytes of the
// response and no more; an error reading them is returned as is.
func readFastHead(uc *upConn, h http.Header, method string) (fastHead, error) {
	if _, err := uc.br.Peek(1); err != nil {
		return fastHead{}, fmt.Errorf("read response: %w", err)
	}
	buf, _ := uc.br.Peek(uc.br.Buffered())
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return fastHead{}, errFastFallback
	}
	head := buf[:end+2] // every line ends in CRLF
	fh, rest, ok := parseStatusLine(head)
	if !ok {
		return fastHead{}, errFastFallback
	}
	if !parseFields(rest, h, &fh) || (!fh.chunked && fh.length < 0 && bodyAllowed(method, fh.status)) {
		clear(h) // malformed, or delimited by the connection's close: ReadResponse's
		return fastHead{}, errFastFallback
	}
	_, _ = uc.br.Discard(end + 4)
	return fh, nil
}

// parseStatusLine reads "HTTP/1.1 NNN reason\r\n" with a final status.
func parseStatusLine(head []byte) (fastHead, []byte, bool) {
	nl := bytes.IndexByte(head, '\n')
	const prefix = "HTTP/1.1 "
	if nl < len(prefix)+4 || head[nl-1] != '\r' || string(head[:len(prefix)]) != prefix {
		return fastHead{}, nil, false
	}
	code := head[len(prefix) : len(prefix)+3]
	if len(prefix)+3 < nl-1 && head[len(prefix)+3] != ' ' {
		return fastHead{}, nil, false
	}
	status := 0
	for _, c := range code {
		if c < '0' || c > '9' {
			return fastHead{}, nil, false
		}
		status = status*10 + int(c-'0')
	}
	if status < 200 {
		return fastHead{}, nil, false
	}
	return fastHead{status: status, length: -1}, head[nl+1:], true
}

// parseFields stores the end-to-end field lines of block (each ending in
// CRLF) in h and notes the framing in fh. It reports false for anything
// the fast path leaves to http.ReadResponse.
func parseFields(block []byte, h http.Header, fh *fastHead) bool {
	lines := bytes.Count(block, []byte("\n"))
	all := string(block) // one allocation holds every value
	vals := make([]string, lines)
	for i, off := 0, 0; off < len(all); i++ {
		nl := off + indexNL(all[off:])
		if nl == off || nl == len(all) || all[nl-1] != '\r' {
			return false // a line not ended by CRLF
		}
		line := all[off : nl-1]
		off = nl + 1
		k, v, ok := splitField(line)
		if !ok || !noteFraming(k, v, fh) {
			return false
		}
		if dropFromResponse(k) {
			continue
		}
		vals[i] = v
		if old, dup := h[k]; dup {
			h[k] = append(old, v)
		} else {
			h[k] = vals[i : i+1 : i+1]
		}
	}
	return !(fh.chunked && fh.length >= 0) // both: let ReadResponse apply its rules
}

func indexNL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return i
		}
	}
	return len(s)
}

// splitField splits "Name: value" (line without CRLF) into the canonical
// name and the value without surrounding blanks.
func splitField(line string) (string, string, bool) {
	colon := -1
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == ':' {
			colon = i
			break
		}
		if !isTokenByte(c) {
			return "", "", false // includes a leading blank: obs-fold
		}
	}
	if colon <= 0 {
		return "", "", false
	}
	v := trimBlanks(line[colon+1:])
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return "", "", false
		}
	}
	return canonicalKey(line[:colon]), v, true
}

// noteFraming records the fields that frame the response and reports
// false for forms the fast path does not take.
func noteFraming(k, v string, fh *fastHead) bool {
	switch k {
	case "Content-Length":
		n, err := strconv.ParseInt(v, 10, 64)
		if fh.length >= 0 || err != nil || n < 0 || v[0] == '+' {
			return false
		}
		fh.length = n
	case "Transfer-Encoding":
		if fh.chunked || !asciiEqualFold(v, "chunked") {
			return false
		}
		fh.chunked = true
	case "Connection":
		ok, hasClose := connectionTokens(v)
		fh.close = fh.close || hasClose
		return ok
	case "Trailer":
		return false
	}
	return true
}

// canonicalKey returns the canonical form of a field name, without
// allocating for the common ones.
func canonicalKey(k string) string {
	if c, ok := internedKeys[k]; ok {
		return c
	}
	return textproto.CanonicalMIMEHeaderKey(k)
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func trimBlanks(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// connectionTokens reads a Connection value: ok when it names nothing but
// close and keep-alive (so no end-to-end field is to be dropped), and
// whether it names close.
func connectionTokens(v string) (ok, hasClose bool) {
	for v != "" {
		var tok string
		tok, v, _ = cutComma(v)
		switch tok = trimBlanks(tok); {
		case tok == "", asciiEqualFold(tok, "keep-alive"):
		case asciiEqualFold(tok, "close"):
			hasClose = true
		default:
			return false, false
		}
	}
	return true, hasClose
}

// bodyAllowed reports whether a response to method with status has a body.
func bodyAllowed(method string, status int) bool {
	return method != http.MethodHead && status != http.StatusNoContent && status != http.StatusNotModified
}

func cutComma(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// lengthBody reads a body of known length from the connection's buffer,
// returning io.EOF with the last bytes.
type lengthBody struct {
	uc *upConn
	n  int64
}

func (b *lengthBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.uc.br.Read(p)
	b.n -= int64(n)
	switch {
	case b.n == 0:
		return n, io.EOF
	case err == io.EOF:
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *lengthBody) Close() error { return nil }

// chunkedBody decodes a chunked body and, at its end, reads the trailer
// section into trailer (allocated only when the backend sent trailers).
type chunkedBody struct {
	uc      *upConn
	cr      io.Reader
	trailer *http.Header
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	n, err := b.cr.Read(p)
	if err == io.EOF {
		if terr := b.readTrailer(); terr != nil {
			return n, terr
		}
	}
	return n, err
}

func (b *chunkedBody) readTrailer() error {
	if crlf, err := b.uc.br.Peek(2); err == nil && string(crlf) == "\r\n" {
		_, _ = b.uc.br.Discard(2)
		return nil
	}
	b.uc.budget = maxResponseHeaderBytes // trailer fields are bounded like the head
	mh, err := textproto.NewReader(b.uc.br).ReadMIMEHeader()
	b.uc.budget = -1
	if err != nil {
		return err
	}
	*b.trailer = http.Header(mh)
	return nil
}

func (b *chunkedBody) Close() error { return nil }

// fastResponse turns fh into the response leanRespond copies: its header
// is already in the client's map (Header nil), its body reads from uc.
// The Response lives in uc and is reused by its next request.
func fastResponse(uc *upConn, method string, fh fastHead) *http.Response {
	res := &uc.res
	*res = http.Response{StatusCode: fh.status, Close: fh.close, ContentLength: fh.length, Body: http.NoBody}
	switch {
	case !bodyAllowed(method, fh.status):
	case fh.chunked:
		uc.chunked = chunkedBody{uc: uc, cr: httputil.NewChunkedReader(uc.br), trailer: &res.Trailer}
		res.Body = &uc.chunked
	case fh.length > 0:
		uc.length = lengthBody{uc: uc, n: fh.length}
		res.Body = &uc.length
	}
	return res
}
