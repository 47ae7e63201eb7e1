package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/pebbletest"
)

// hostSet is a mutable Allowed func that counts its calls.
type hostSet struct {
	mu    sync.RWMutex
	hosts map[string]bool
	calls atomic.Int64
}

func allow(hosts ...string) *hostSet {
	s := &hostSet{hosts: map[string]bool{}}
	s.add(hosts...)
	return s
}

func (s *hostSet) allowed(host string) bool {
	s.calls.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hosts[host]
}

func (s *hostSet) add(hosts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hosts {
		s.hosts[h] = true
	}
}

func (s *hostSet) remove(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hosts, host)
}

// testLogger collects logs and prints them when the test fails (background
// goroutines may log after the test ended, so it never calls t.Log late).
func testLogger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("CERTS_TEST_LOG") != "" {
			mu.Lock()
			t.Logf("manager log:\n%s", buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// acmeEnv is a Pebble CA validating against an HTTP and a TLS listener on
// loopback, both served by whichever Manager is current.
type acmeEnv struct {
	pebble                *pebbletest.Server
	httpAddr, httpsAddr   string
	cur                   atomic.Pointer[Manager]
	httpChecks, tlsChecks atomic.Int64
}

// newACMEEnv starts Pebble issuing certificates valid for validity (0: 90
// days) and the two listeners it validates against.
func newACMEEnv(t *testing.T, validity time.Duration) *acmeEnv {
	httpLn, tlsLn := listen(t), listen(t)
	e := &acmeEnv{httpAddr: httpLn.Addr().String(), httpsAddr: tlsLn.Addr().String()}
	e.pebble = pebbletest.Start(t, pebbletest.Options{HTTPPort: port(httpLn), TLSPort: port(tlsLn), Validity: validity})
	serve(t, httpLn, nil, http.HandlerFunc(e.serveHTTP))
	serve(t, tlsLn, &tls.Config{GetConfigForClient: e.tlsConfig}, appHandler)
	return e
}

var appHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "app says hi over "+r.Proto)
})

func (e *acmeEnv) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
		e.httpChecks.Add(1)
	}
	e.cur.Load().HTTPChallengeHandler(appHandler).ServeHTTP(w, r)
}

func (e *acmeEnv) tlsConfig(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if isChallenge(hello) {
		e.tlsChecks.Add(1)
	}
	return e.cur.Load().TLSConfig(), nil
}

// manager starts a Manager on dir for Pebble and makes it current.
func (e *acmeEnv) manager(t *testing.T, dir string, allowed *hostSet, edit ...func(*Config)) *Manager {
	cfg := Config{
		Dir:          dir,
		Mode:         ModeACME,
		CA:           e.pebble.DirectoryURL,
		TrustedRoots: e.pebble.APIRootPEM,
		Email:        "ops@quayside.test",
		Allowed:      allowed.allowed,
		HTTPAddr:     e.httpAddr,
		HTTPSAddr:    e.httpsAddr,
		ServerAddrs:  []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		Logger:       testLogger(t),
	}
	for _, f := range edit {
		f(&cfg)
	}
	m, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	e.cur.Store(m)
	return m
}

// handshake connects to the TLS listener at addr with SNI name, trusting
// roots, offering h2 and HTTP/1.1.
func handshake(addr, name string, roots *x509.CertPool) (tls.ConnectionState, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{
		ServerName: name,
		RootCAs:    roots,
		NextProtos: []string{"h2", "http/1.1"},
	})
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.ConnectionState(), nil
}

// get fetches https://name/ from the listener at addr.
func get(t *testing.T, addr, name string, roots *x509.CertPool) *http.Response {
	t.Helper()
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{ServerName: name, RootCAs: roots},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + name + "/")
	require.NoError(t, err)
	return resp
}

func pool(t *testing.T, pemData []byte) *x509.CertPool {
	t.Helper()
	p := x509.NewCertPool()
	require.True(t, p.AppendCertsFromPEM(pemData), "PEM has a certificate")
	return p
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

func port(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// serve serves h on ln (with TLS when conf is set) until the test ends.
func serve(t *testing.T, ln net.Listener, conf *tls.Config, h http.Handler) {
	srv := &http.Server{Handler: h, TLSConfig: conf, ErrorLog: discardLog}
	go func() {
		if conf != nil {
			_ = srv.ServeTLS(ln, "", "")
		} else {
			_ = srv.Serve(ln)
		}
	}()
	t.Cleanup(func() { srv.Close() })
}

var discardLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)

// waitState polls host's status until it has state, and returns it.
func waitState(t *testing.T, m *Manager, host, state string, within time.Duration) (st engine.CertStatus) {
	t.Helper()
	require.Eventually(t, func() bool {
		st = m.Status(context.Background(), []string{host})[0]
		return st.State == state
	}, within, 20*time.Millisecond, "%s never became %s (last: %+v)", host, state, st)
	return st
}
