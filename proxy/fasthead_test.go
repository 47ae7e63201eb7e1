package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fastHeadOf runs readFastHead on raw as a backend's answer to method.
func fastHeadOf(raw, method string) (fastHead, http.Header, *upConn, error) {
	c1, c2 := net.Pipe()
	_ = c2.Close()
	uc := newUpConn(c1)
	uc.budget = -1
	uc.br = bufio.NewReaderSize(io.MultiReader(strings.NewReader(raw), uc), upBufSize)
	h := http.Header{}
	fh, err := readFastHead(uc, h, method)
	return fh, h, uc, err
}

var fastHeadCases = []struct {
	name   string
	raw    string
	method string
	fast   bool
	want   fastHead
	header http.Header
}{
	{name: "content-length", fast: true,
		raw:    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Custom:  padded \r\n\r\nhello",
		want:   fastHead{status: 200, length: 5},
		header: http.Header{"Content-Type": {"text/plain"}, "Content-Length": {"5"}, "X-Custom": {"padded"}}},
	{name: "chunked, lower-case names", fast: true,
		raw:    "HTTP/1.1 201 Created\r\ntransfer-encoding: Chunked\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n0\r\n\r\n",
		want:   fastHead{status: 201, length: -1, chunked: true},
		header: http.Header{"Set-Cookie": {"a=1", "b=2"}}},
	{name: "connection close", fast: true,
		raw:    "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
		want:   fastHead{status: 200, close: true},
		header: http.Header{"Content-Length": {"0"}}},
	{name: "HEAD without framing", fast: true, method: http.MethodHead,
		raw:    "HTTP/1.1 200 OK\r\nEtag: x\r\n\r\n",
		want:   fastHead{status: 200, length: -1},
		header: http.Header{"Etag": {"x"}}},
	{name: "304 without framing", fast: true,
		raw:  "HTTP/1.1 304 Not Modified\r\n\r\n",
		want: fastHead{status: 304, length: -1}},
	{name: "no reason phrase", fast: true,
		raw:  "HTTP/1.1 204\r\n\r\n",
		want: fastHead{status: 204, length: -1}},
	{name: "close-delimited", raw: "HTTP/1.1 200 OK\r\n\r\nbody"},
	{name: "HTTP/1.0", raw: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "informational", raw: "HTTP/1.1 103 Early Hints\r\nLink: <a>\r\n\r\n"},
	{name: "obs-fold", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n"},
	{name: "bare LF", raw: "HTTP/1.1 200 OK\nContent-Length: 0\n\n"},
	{name: "two Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"},
	{name: "Content-Length and chunked", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "signed Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx"},
	{name: "other coding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{name: "Trailer announced", raw: "HTTP/1.1 200 OK\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "Connection names a field", raw: "HTTP/1.1 200 OK\r\nConnection: X-A\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"},
	{name: "space in a name", raw: "HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 0\r\n\r\n"},
	{name: "control byte in a value", raw: "HTTP/1.1 200 OK\r\nX-A: 1\x002\r\nContent-Length: 0\r\n\r\n"},
	{name: "status not three digits", raw: "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "head not complete yet", raw: "HTTP/1.1 200 OK\r\nContent-Le"},
}

func TestReadFastHead(t *testing.T) {
	for _, tt := range fastHeadCases {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			fh, h, uc, err := fastHeadOf(tt.raw, method)
			if !tt.fast {
				require.ErrorIs(t, err, errFastFallback)
				assert.Empty(t, h, "nothing stored")
				assert.Equal(t, len(tt.raw), uc.br.Buffered(), "nothing consumed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, fh)
			if tt.header == nil {
				tt.header = http.Header{}
			}
			assert.Equal(t, tt.header, h)
		})
	}
}

// FuzzFastHead checks the fast path against http.ReadResponse: whatever
// it accepts, ReadResponse accepts too, with the same status, framing and
// end-to-end fields.
func FuzzFastHead(f *testing.F) {
	for _, tt := range fastHeadCases {
		f.Add(tt.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fh, h, _, err := fastHeadOf(raw, http.MethodGet)
		if err != nil {
			return
		}
		res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), &http.Request{Method: http.MethodGet})
		if err != nil {
			t.Fatalf("fast path accepted what ReadResponse rejects (%v): %q", err, raw)
		}
		if res.StatusCode != fh.status || res.Close != fh.close {
			t.Fatalf("status/close %d/%v, ReadResponse %d/%v: %q", fh.status, fh.close, res.StatusCode, res.Close, raw)
		}
		chunked := len(res.TransferEncoding) > 0
		framed := bodyAllowed(http.MethodGet, res.StatusCode) // else there is no body either way
		if framed && (chunked != fh.chunked || (!chunked && res.ContentLength != fh.length)) {
			t.Fatalf("framing %+v, ReadResponse %d %v: %q", fh, res.ContentLength, res.TransferEncoding, raw)
		}
		want := http.Header{}
		copyResponseHeader(want, res.Header)
		if !headersEqual(want, h) {
			t.Fatalf("fields %v, ReadResponse %v: %q", h, want, raw)
		}
	})
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			return false
		}
		for i := range va {
			if va[i] != vb[i] {
				return false
			}
		}
	}
	return true
}

func TestLengthBodyTruncated(t *testing.T) {
	_, _, uc, err := fastHeadOf("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", http.MethodGet)
	require.NoError(t, err)
	b := &lengthBody{uc: uc, n: 10}
	got, err := io.ReadAll(b)
	assert.Equal(t, "abc", string(got))
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
}

func TestLeanFastPathTrailers(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	rb := startRawBackend(t, answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\nX-Late: 7\r\n\r\n", false))
	p.SetRoute(engine.Route{App: "tr", Hosts: []string{"tr.test"}, Backends: []string{rb.addr}})
	for range 2 {
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		req.Host = "tr.test"
		res, err := newClient().Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, "body", string(body))
		assert.Equal(t, "7", res.Trailer.Get("X-Late"))
	}
	assert.EqualValues(t, 1, rb.conns.Load(), "the connection was reused after the trailer section")
}
