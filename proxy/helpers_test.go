package proxy

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testLogger logs to stderr when QUAYSIDE_TEST_LOG is set, else discards.
func testLogger() *slog.Logger {
	if os.Getenv("QUAYSIDE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newTestProxy returns a Proxy served on 127.0.0.1, both cleaned up.
func newTestProxy(t testing.TB, opts Options) (*Proxy, *httptest.Server) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	p := New(opts)
	srv := httptest.NewServer(p)
	t.Cleanup(func() {
		srv.Close()
		_ = p.Close()
	})
	return p, srv
}

// startBackend starts a backend on 127.0.0.1 that answers with its name in
// the body and in X-Backend, unless h is given.
func startBackend(t testing.TB, name string, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Backend", name)
			_, _ = io.WriteString(w, name)
		}
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func addrOf(srv *httptest.Server) string { return srv.Listener.Addr().String() }

// deadAddr returns a 127.0.0.1 address nothing listens on.
func deadAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// newClient returns a keep-alive client that never uses an env proxy.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, Proxy: nil},
		Timeout:   10 * time.Second,
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends method to the proxy with the given Host header.
func do(t testing.TB, c *http.Client, method, url, host string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	req.Host = host
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func get(t testing.TB, c *http.Client, url, host string) response {
	t.Helper()
	return do(t, c, http.MethodGet, url, host, nil)
}

// assertBland checks that a proxy page reveals nothing internal.
func assertBland(t *testing.T, r response, forbidden ...string) {
	t.Helper()
	require.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	require.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	require.Empty(t, r.header.Get("Server"))
	body := strings.ToLower(r.body)
	for _, f := range append(forbidden, "go", "golang", "quayside", "127.0.0.1", "dial", "refused", "error", "tcp", "version") {
		require.NotContains(t, body, strings.ToLower(f))
	}
}

func contextWithTimeout(t testing.TB, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}

// eventually polls cond every few milliseconds until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "timed out waiting for "+what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// countingHandler is a slog.Handler that counts records by message.
type countingHandler struct {
	mu     sync.Mutex
	counts map[string]int
	warns  []string
}

func newCountingLogger() (*slog.Logger, *countingHandler) {
	h := &countingHandler{counts: map[string]int{}}
	return slog.New(h), h
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[r.Message]++
	if r.Level >= slog.LevelWarn {
		var sb strings.Builder
		sb.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { sb.WriteString(" " + a.String()); return true })
		h.warns = append(h.warns, sb.String())
	}
	return nil
}

func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func (h *countingHandler) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[msg]
}

func (h *countingHandler) warnings() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.warns...)
}
