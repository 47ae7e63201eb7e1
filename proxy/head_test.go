package proxy

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// serverRequest parses raw as the server would and sets the remote address.
func serverRequest(t testing.TB, raw, remote string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	require.NoError(t, err)
	r.RemoteAddr = remote
	return r
}

// sentHead runs writeHead for r (from a trusted proxy or not) and parses what it wrote.
func sentHead(t *testing.T, r *http.Request, trusted bool) (*http.Request, string) {
	t.Helper()
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	writeHead(bw, r, trusted)
	require.NoError(t, bw.Flush())
	raw := buf.String()
	out, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	require.NoError(t, err, raw)
	return out, raw
}

func TestWriteHead(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		remote    string
		tls       bool
		trusted   bool
		wantLine  string
		wantHost  string
		want      http.Header
		wantGone  []string
		wantNoXFF bool
	}{
		{
			name:     "origin form, fields kept, forwarding fields set",
			raw:      "GET /p/a%2Fb?q=1&r=%20 HTTP/1.1\r\nHost: App.Test:8080\r\nX-Custom: a\r\nX-Custom: b\r\nCookie: c=1\r\n\r\n",
			remote:   "192.0.2.1:5555",
			wantLine: "GET /p/a%2Fb?q=1&r=%20 HTTP/1.1",
			wantHost: "App.Test:8080",
			want: http.Header{"X-Custom": {"a", "b"}, "Cookie": {"c=1"}, "X-Forwarded-For": {"192.0.2.1"},
				"X-Forwarded-Host": {"App.Test:8080"}, "X-Forwarded-Proto": {"http"}},
		},
		{
			name: "hop-by-hop and claimed forwarding fields are dropped",
			raw: "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n" +
				"Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic x\r\nTrailer: X-T\r\nTe: gzip\r\n" +
				"Forwarded: for=1.2.3.4\r\nX-Forwarded-Host: evil.test\r\nX-Forwarded-Proto: https\r\n\r\n",
			remote:   "[2001:db8::1]:1",
			wantLine: "GET / HTTP/1.1",
			wantHost: "a.test",
			want:     http.Header{"X-Forwarded-For": {"2001:db8::1"}, "X-Forwarded-Host": {"a.test"}, "X-Forwarded-Proto": {"http"}},
			wantGone: []string{"Connection", "X-Secret", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Trailer", "Te", "Forwarded"},
		},
		{
			name: "a client's address claims are dropped, X-Forwarded-For replaced",
			raw: "GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 203.0.113.9\r\n" +
				"True-Client-IP: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n\r\n",
			remote:   "192.0.2.1:9",
			wantLine: "GET / HTTP/1.1",
			wantHost: "a.test",
			want:     http.Header{"X-Forwarded-For": {"192.0.2.1"}, "X-Forwarded-Proto": {"http"}, "X-Forwarded-Host": {"a.test"}},
			wantGone: []string{"X-Real-Ip", "True-Client-Ip"},
		},
		{
			name: "a trusted proxy's claims are passed on",
			raw: "GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 203.0.113.9\r\n" +
				"True-Client-IP: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: front.test\r\n\r\n",
			remote:   "192.0.2.1:9",
			trusted:  true,
			wantLine: "GET / HTTP/1.1",
			wantHost: "a.test",
			want: http.Header{"X-Forwarded-For": {"203.0.113.9, 192.0.2.1"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"front.test"},
				"X-Real-Ip": {"203.0.113.9"}, "True-Client-Ip": {"203.0.113.9"}},
		},
		{
			name:     "trusted proxy's X-Forwarded-For appended to, TE trailers kept, TLS",
			raw:      "HEAD / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 203.0.113.9, 198.51.100.1\r\nX-Forwarded-For: 192.0.2.4\r\nTe: trailers, deflate\r\n\r\n",
			remote:   "127.0.0.1:9",
			trusted:  true,
			tls:      true,
			wantLine: "HEAD / HTTP/1.1",
			wantHost: "a.test",
			want: http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.1, 192.0.2.4, 127.0.0.1"},
				"Te": {"trailers"}, "X-Forwarded-Proto": {"https"}},
		},
		{
			name:     "absolute form becomes origin form",
			raw:      "GET http://a.test/x?y=1 HTTP/1.1\r\nHost: a.test\r\n\r\n",
			remote:   "127.0.0.1:9",
			wantLine: "GET /x?y=1 HTTP/1.1",
			wantHost: "a.test",
		},
		{
			name:     "PUT without body says so",
			raw:      "PUT /k HTTP/1.1\r\nHost: a.test\r\n\r\n",
			remote:   "127.0.0.1:9",
			wantLine: "PUT /k HTTP/1.1",
			wantHost: "a.test",
			want:     http.Header{"Content-Length": {"0"}},
		},
		{
			name:      "unparsable remote address: no X-Forwarded-For",
			raw:       "GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
			remote:    "garbage",
			wantLine:  "GET / HTTP/1.1",
			wantHost:  "a.test",
			wantNoXFF: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := serverRequest(t, tt.raw, tt.remote)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			out, raw := sentHead(t, r, tt.trusted)
			assert.True(t, strings.HasPrefix(raw, tt.wantLine+"\r\n"), raw)
			assert.Equal(t, tt.wantHost, out.Host)
			for k, v := range tt.want {
				assert.Equal(t, v, out.Header[k], k)
			}
			for _, k := range tt.wantGone {
				assert.NotContains(t, out.Header, k)
			}
			if tt.wantNoXFF {
				assert.NotContains(t, out.Header, "X-Forwarded-For")
			}
			assert.Zero(t, out.ContentLength, "no body")
		})
	}
}

func TestWriteHeadDoesNotAllocate(t *testing.T) {
	r := serverRequest(t, "GET /path?q=1 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: x\r\nAccept: */*\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n", "192.0.2.1:5555")
	bw := bufio.NewWriterSize(io.Discard, upBufSize)
	assert.Zero(t, testing.AllocsPerRun(100, func() { writeHead(bw, r, false) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { writeHead(bw, r, true) }))
}

func TestTokenListed(t *testing.T) {
	tests := []struct {
		values []string
		name   string
		want   bool
	}{
		{[]string{"close"}, "close", true},
		{[]string{"keep-alive, X-Secret"}, "x-secret", true},
		{[]string{"a", " b ,c"}, "C", true},
		{[]string{"upgrade"}, "Upgrade", true},
		{[]string{"x-secrets"}, "X-Secret", false},
		{nil, "close", false},
		{[]string{""}, "close", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tokenListed(tt.values, tt.name), "%q in %q", tt.name, tt.values)
	}
}

// TestPathsForwardAlike sends the same request through the lean path (GET)
// and the generic path (POST with a body): the backend must see the same
// header fields, Host and request target.
func TestPathsForwardAlike(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) { testPathsForwardAlike(t, trusted) })
	}
}

func testPathsForwardAlike(t *testing.T, trusted bool) {
	var opts Options
	if trusted {
		opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}
	p, srv := newTestProxy(t, opts)
	be := startBackend(t, "echo", echoHeaders)
	p.SetRoute(engine.Route{App: "echo", Hosts: []string{"echo.test"}, Backends: []string{addrOf(be)}})
	send := func(method string, body io.Reader) echoed {
		req, err := http.NewRequest(method, srv.URL+"/p?q=1", body)
		require.NoError(t, err)
		req.Host = "Echo.Test:81"
		req.Header = http.Header{
			"X-Forwarded-For": {"203.0.113.1"}, "X-Forwarded-Proto": {"https"}, "Forwarded": {"for=x"},
			"Connection": {"X-Secret"}, "X-Secret": {"s"}, "X-Custom": {"a", "b"}, "Te": {"trailers"},
			"X-Real-Ip": {"203.0.113.1"}, "True-Client-Ip": {"203.0.113.1"},
		}
		res, err := newClient().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var e echoed
		require.NoError(t, json.NewDecoder(res.Body).Decode(&e))
		delete(e.Header, "Content-Length")
		return e
	}
	lean := send(http.MethodGet, nil)
	generic := send(http.MethodPost, strings.NewReader("body"))
	assert.Equal(t, generic, lean)
	if trusted {
		assert.Equal(t, []string{"203.0.113.1, 127.0.0.1"}, lean.Header["X-Forwarded-For"])
		assert.Equal(t, []string{"https"}, lean.Header["X-Forwarded-Proto"])
		assert.Equal(t, []string{"203.0.113.1"}, lean.Header["X-Real-Ip"])
	} else {
		assert.Equal(t, []string{"127.0.0.1"}, lean.Header["X-Forwarded-For"])
		assert.Equal(t, []string{"http"}, lean.Header["X-Forwarded-Proto"])
		assert.NotContains(t, lean.Header, "X-Real-Ip")
		assert.NotContains(t, lean.Header, "True-Client-Ip")
	}
}

func TestLeanPathIsTaken(t *testing.T) {
	p, srv := newTestProxy(t, Options{})
	be := startBackend(t, "a", nil)
	p.SetRoute(engine.Route{App: "a", Hosts: []string{"a.test"}, Backends: []string{addrOf(be)}})
	get(t, newClient(), srv.URL, "a.test")
	assert.Equal(t, 1, backendOf(p, addrOf(be)).pool.size(), "GET went through the lean pool")
	do(t, newClient(), http.MethodPost, srv.URL, "a.test", strings.NewReader("x"))
	assert.Equal(t, 1, backendOf(p, addrOf(be)).pool.size(), "POST did not")
}
