package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/internal/egress"
	"github.com/quayside/quayside/internal/syncbuf"
)

// request is one request a receiver got.
type request struct {
	at          time.Time
	contentType string
	body        []byte
}

// receiver is an httptest webhook receiver. answer picks the reply to the
// nth request (0-based); nil answers 200.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.got)
	rc.got = append(rc.got, request{at: time.Now(), contentType: r.Header.Get("Content-Type"), body: body})
	rc.mu.Unlock()
	if rc.answer != nil {
		rc.answer(n, w, r)
	}
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.got...)
}

func (rc *receiver) count() int { return len(rc.requests()) }

// hang answers nothing until release is closed or the client gives up.
func hang(release <-chan struct{}) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

// status answers code to every request.
func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// fixedTargets returns the given targets for every app, as a store that
// ignores the app would; the Notifier filters them.
func fixedTargets(targets ...notify.Target) func(context.Context, string) ([]notify.Target, error) {
	return func(context.Context, string) ([]notify.Target, error) { return targets, nil }
}

// loopbackOK lets deliveries reach the test receivers on loopback, as
// --allow-webhook-to 127.0.0.0/8 does.
var loopbackOK = &egress.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// start makes a Notifier for cfg, runs it and closes it at the end.
func start(t *testing.T, cfg notify.Config) *notify.Notifier {
	t.Helper()
	if cfg.Retry == nil {
		cfg.Retry = []time.Duration{time.Millisecond, time.Millisecond}
	}
	if cfg.Egress == nil {
		cfg.Egress = loopbackOK
	}
	n := notify.New(cfg)
	done := make(chan error, 1)
	go func() { done <- n.Run(context.Background()) }()
	t.Cleanup(func() {
		require.NoError(t, n.Close())
		require.NoError(t, <-done)
	})
	return n
}

// eventually polls cond for up to 10 seconds.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 2*time.Millisecond, msg)
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return v
}

// logBuffer is a goroutine-safe log destination.
type logBuffer struct{ syncbuf.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

var failed = engine.Event{App: "myapp", Kind: engine.EventDeployFailed, Release: 7, Message: "build failed: no Dockerfile"}
