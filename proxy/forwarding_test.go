package proxy

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// seen is what an echoing backend received.
type seen struct {
	Target string
	Host   string
	Header http.Header
}

// startEcho starts a backend that answers with the request target, Host
// and header fields it received, as JSON.
func startEcho(t *testing.T) *rawBackend {
	return startRawBackend(t, func(c net.Conn, _, _ int, r *http.Request) bool {
		b, _ := json.Marshal(seen{Target: r.RequestURI, Host: r.Host, Header: r.Header})
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(b)) + "\r\n\r\n"))
		_, _ = c.Write(b)
		return true
	})
}

// echoedBy sends raw to the proxy at addr and decodes the echo backend's answer.
func echoedBy(t *testing.T, addr, raw string) seen {
	t.Helper()
	out := rawExchange(t, addr, raw)
	head, body, ok := strings.Cut(out, "\r\n\r\n")
	require.True(t, ok && strings.HasPrefix(head, "HTTP/1.1 200 "), "answer: %.200q", out)
	var s seen
	require.NoError(t, json.Unmarshal([]byte(body), &s), body)
	return s
}

// Both forwarding paths: the lean one (GET without a body) and the
// generic one (POST with a body).
var paths = []struct{ name, method, body string }{
	{"lean path", "GET", ""},
	{"generic path", "POST", "x"},
}

func request(method, target, body, fields string) string {
	raw := method + " " + target + " HTTP/1.1\r\nHost: s.test\r\nConnection: close\r\n" + fields
	if body != "" {
		raw += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n"
	}
	return raw + "\r\n" + body
}

func TestForwardingFieldsFromClientsAreReplaced(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	be := startEcho(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})
	spoof := "X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nTrue-Client-IP: 203.0.113.7\r\n" +
		"X-Forwarded-Host: evil.test\r\nX-Forwarded-Proto: https\r\nForwarded: for=203.0.113.7\r\n"
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			s := echoedBy(t, addr, request(path.method, "/", path.body, spoof))
			assert.Equal(t, []string{"127.0.0.1"}, s.Header["X-Forwarded-For"], "the peer's address alone")
			assert.Equal(t, []string{"s.test"}, s.Header["X-Forwarded-Host"])
			assert.Equal(t, []string{"http"}, s.Header["X-Forwarded-Proto"])
			for _, k := range []string{"X-Real-Ip", "True-Client-Ip", "Forwarded"} {
				assert.NotContains(t, s.Header, k)
			}
		})
	}
}

// TestForwardingLookalikesAreDropped sends forwarding fields spelled with
// underscores, which CGI, WSGI and Rack servers read as the real ones
// (HTTP_X_FORWARDED_FOR): they never reach the app, trusted peer or not.
func TestForwardingLookalikesAreDropped(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		o := Options{Logger: testLogger()}
		if trusted {
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		}
		p := New(o)
		t.Cleanup(func() { _ = p.Close() })
		addr := serveProxy(t, p, nil)
		be := startEcho(t)
		p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})
		spoof := "X_Forwarded_For: 203.0.113.7\r\nX-Forwarded_For: 203.0.113.8\r\nx_real_ip: 203.0.113.9\r\n" +
			"True_Client_IP: 203.0.113.10\r\nX_Forwarded_Proto: https\r\nX_Forwarded_Host: evil.test\r\nX_Custom: kept\r\n"
		for _, path := range paths {
			t.Run(fmt.Sprintf("%s/trusted=%v", path.name, trusted), func(t *testing.T) {
				s := echoedBy(t, addr, request(path.method, "/", path.body, spoof))
				for k := range s.Header {
					assert.False(t, forwardingLookalike(k), "%s reached the app", k)
				}
				assert.Equal(t, []string{"kept"}, s.Header["X_custom"], "other fields with underscores pass")
				assert.Equal(t, []string{"127.0.0.1"}, s.Header["X-Forwarded-For"])
			})
		}
	}
}

func TestForwardingLookalike(t *testing.T) {
	for k, want := range map[string]bool{
		"X_Forwarded_For": true, "X-Forwarded_For": true, "x_real_ip": true, "True_Client_Ip": true,
		"Forwarded": false, "X-Forwarded-For": false, "X_Custom": false, "X_Forwarded_Fo": false,
	} {
		assert.Equal(t, want, forwardingLookalike(k), k)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { forwardingLookalike("X_Forwarded_For") }))
}

func TestForwardingFieldsFromTrustedProxies(t *testing.T) {
	p := New(Options{Logger: testLogger(), TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	be := startEcho(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})
	front := "X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nTrue-Client-IP: 203.0.113.7\r\n" +
		"X-Forwarded-Host: front.test\r\nX-Forwarded-Proto: https\r\n"
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			s := echoedBy(t, addr, request(path.method, "/", path.body, front))
			assert.Equal(t, []string{"203.0.113.7, 127.0.0.1"}, s.Header["X-Forwarded-For"], "appended to")
			assert.Equal(t, []string{"203.0.113.7"}, s.Header["X-Real-Ip"])
			assert.Equal(t, []string{"203.0.113.7"}, s.Header["True-Client-Ip"])
			assert.Equal(t, []string{"front.test"}, s.Header["X-Forwarded-Host"])
			assert.Equal(t, []string{"https"}, s.Header["X-Forwarded-Proto"])

			s = echoedBy(t, addr, request(path.method, "/", path.body, ""))
			assert.Equal(t, []string{"127.0.0.1"}, s.Header["X-Forwarded-For"])
			assert.Equal(t, []string{"s.test"}, s.Header["X-Forwarded-Host"], "ours when the front proxy sent none")
			assert.Equal(t, []string{"http"}, s.Header["X-Forwarded-Proto"])
		})
	}

	t.Run("a peer outside the ranges is not trusted", func(t *testing.T) {
		p := New(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		r := serverRequest(t, "GET / HTTP/1.1\r\nHost: s.test\r\n\r\n", "127.0.0.1:5")
		assert.False(t, p.fromTrustedProxy(r))
		r.RemoteAddr = "10.1.2.3:5"
		assert.True(t, p.fromTrustedProxy(r))
		p = New(Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("::ffff:10.0.0.0/104")}})
		assert.True(t, p.fromTrustedProxy(r), "an IPv4-mapped range matches IPv4 peers")
		r.RemoteAddr = "[::ffff:10.1.2.3]:5"
		assert.True(t, p.fromTrustedProxy(r), "and IPv4-mapped peers")
	})
}

// TestRequestTargetIsForwardedAsSent checks that both paths send the
// client's request target byte for byte, not a decoded and re-encoded path.
func TestRequestTargetIsForwardedAsSent(t *testing.T) {
	p := New(Options{Logger: testLogger()})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	be := startEcho(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})
	for _, target := range []string{
		"/a%2Fb/%7e/c;d?x=%20&y",
		"/%41%42/{id}|^`?q={x}",
		"/plain?",
		"/caf%C3%A9/..%2f/x",
		"//double/slash?x=1",
	} {
		for _, path := range paths {
			t.Run(path.name+" "+target, func(t *testing.T) {
				s := echoedBy(t, addr, request(path.method, target, path.body, ""))
				assert.Equal(t, target, s.Target)
				assert.Equal(t, "s.test", s.Host)
			})
		}
	}
}

func TestInvalidHostIsRefused(t *testing.T) {
	control := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	p := New(Options{Logger: testLogger(), ControlHost: "q.test", Control: control})
	t.Cleanup(func() { _ = p.Close() })
	addr := serveProxy(t, p, nil)
	be := startBodyRecorder(t)
	p.SetRoute(engine.Route{App: "s", Hosts: []string{"s.test"}, Backends: []string{be.addr}})
	for _, host := range []string{
		"s.test:evil", "s.test:", "s.test:123456", "q.test:x", "s..test", ".s.test", "s.test@x",
		"s.test:80:80", "s_test\\x", "[::1", "[::1]x", "[fe80::1%25eth0]", "s.test%00", "s.test,other",
	} {
		t.Run(host, func(t *testing.T) {
			for _, path := range paths {
				out := rawExchange(t, addr, strings.Replace(request(path.method, "/", path.body, ""), "Host: s.test", "Host: "+host, 1))
				assert.True(t, strings.HasPrefix(out, "HTTP/1.1 400 "), "%s: %.80q", path.name, out)
			}
		})
	}
	assert.Empty(t, be.seenBodies(), "nothing reached the backend")
	for _, host := range []string{"s.test", "S.Test:8080", "s.test.", "s.test:80"} {
		out := rawExchange(t, addr, strings.Replace(request("GET", "/", "", ""), "Host: s.test", "Host: "+host, 1))
		assert.True(t, strings.HasPrefix(out, "HTTP/1.1 200 "), "%s: %.80q", host, out)
	}
	out := rawExchange(t, addr, strings.Replace(request("GET", "/", "", ""), "Host: s.test", "Host: q.test:443", 1))
	assert.True(t, strings.HasPrefix(out, "HTTP/1.1 418 "), "the control host: %.80q", out)
}

func TestValidHost(t *testing.T) {
	valid := []string{"a.test", "A.Test:8080", "a.test.", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
		"[2001:db8::1]", "x_y.test", "localhost", strings.Repeat("a", 63) + ".test"}
	invalid := []string{"", ":80", "a.test:", "a.test:x", "a.test:123456", "a..test", ".a.test", "a.test..",
		"a test", "a/b", "a@b", "::1", "[::1]:", "[127.0.0.1]", "[::1%lo]", "[::1]]", "a.test:80:80",
		strings.Repeat("a", 64) + ".test", strings.Repeat("a.", 127) + "aa"}
	for _, h := range valid {
		assert.True(t, validHost(h), "%q", h)
	}
	for _, h := range invalid {
		assert.False(t, validHost(h), "%q", h)
	}
}
