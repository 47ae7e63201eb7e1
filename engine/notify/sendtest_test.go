package notify_test

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/internal/egress"
)

func TestTest(t *testing.T) {
	ctx := context.Background()
	n := notify.New(notify.Config{Egress: loopbackOK, ServerName: "box1", Timeout: 2 * time.Second})
	t.Cleanup(func() { _ = n.Close() })

	t.Run("sends one test notification", func(t *testing.T) {
		rc := newReceiver(t, nil)
		res, err := n.Test(ctx, notify.Target{URL: rc.URL, Format: "slack"})
		require.NoError(t, err)
		assert.Equal(t, notify.TestResult{Delivered: true}, res)
		require.Equal(t, 1, rc.count())
		text := decode[map[string]string](t, rc.requests()[0].body)["text"]
		assert.Equal(t, ":wave: test notification from Quayside on box1: alerts reach this webhook", text)

		res, err = n.Test(ctx, notify.Target{URL: rc.URL, Format: "json", App: "myapp"})
		require.NoError(t, err)
		assert.True(t, res.Delivered)
		p := decode[notify.Payload](t, rc.requests()[1].body)
		assert.Equal(t, notify.KindTest, p.Event)
		assert.Equal(t, "myapp", p.App)
	})

	tests := []struct {
		name   string
		answer func(int, http.ResponseWriter, *http.Request)
		says   []string
	}{
		{"refused", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("no_service: ami-id i-0123 secret-key AKIA\n"))
		}, []string{"answered 404 Not Found", "check the URL"}},
		{"failing", status(http.StatusBadGateway), []string{"502 Bad Gateway", "try again later"}},
		{"rate limited", status(http.StatusTooManyRequests), []string{"429 Too Many Requests"}},
		{"redirect", func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusMovedPermanently)
		}, []string{"301 Moved Permanently", "redirect"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.answer)
			res, err := n.Test(ctx, notify.Target{URL: rc.URL + "/SECRET", Format: "json"})
			require.NoError(t, err)
			assert.False(t, res.Delivered)
			for _, s := range append(tt.says, rc.Listener.Addr().String()) {
				assert.Contains(t, res.Reason, s)
			}
			assert.NotContains(t, res.Reason, "SECRET")
			assert.NotContains(t, res.Reason, "no_service", "the receiver's body is never echoed")
			assert.NotContains(t, res.Reason, "AKIA")
			assert.Equal(t, 1, rc.count(), "one attempt, no retry")
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		rc := newReceiver(t, nil)
		rc.Close()
		res, err := n.Test(ctx, notify.Target{URL: rc.URL + "/SECRET", Format: "json"})
		require.NoError(t, err)
		assert.False(t, res.Delivered)
		assert.Contains(t, res.Reason, "could not reach the webhook at "+rc.Listener.Addr().String())
		assert.Contains(t, res.Reason, "connection refused")
		assert.NotContains(t, res.Reason, "SECRET")
	})

	t.Run("connection dropped", func(t *testing.T) {
		rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
		res, err := n.Test(ctx, notify.Target{URL: rc.URL, Format: "json"})
		require.NoError(t, err)
		assert.Contains(t, res.Reason, "connection closed without an answer")
	})

	t.Run("unknown host", func(t *testing.T) {
		res, err := n.Test(ctx, notify.Target{URL: "https://quayside-test.invalid/SECRET", Format: "json"})
		require.NoError(t, err)
		assert.Regexp(t, `^could not reach the webhook at quayside-test\.invalid: (host name|no answer within)`, res.Reason)
		assert.NotContains(t, res.Reason, ":53", "the server's resolver is not shown")
		assert.NotContains(t, res.Reason, "SECRET")
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		rc := newReceiver(t, hang(release))
		short := notify.New(notify.Config{Egress: loopbackOK, Timeout: 50 * time.Millisecond})
		res, err := short.Test(ctx, notify.Target{URL: rc.URL, Format: "json"})
		require.NoError(t, err)
		assert.Contains(t, res.Reason, "no answer within 50ms")
	})

	t.Run("invalid target", func(t *testing.T) {
		_, err := n.Test(ctx, notify.Target{URL: "https://u:p@example.com/x", Format: "json"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Equal(t, map[string]string{"url": err.Error()}, engine.ErrorFields(err))
	})
}

// TestDeliveriesRefuseInternalAddresses performs the attack: webhooks
// pointed at loopback, the cloud metadata address, IPv6 loopback, a
// private address and a name that resolves to loopback. Without
// --allow-webhook-to the receiver on loopback is never reached; with it,
// it is.
func TestDeliveriesRefuseInternalAddresses(t *testing.T) {
	ctx := context.Background()
	rc := newReceiver(t, nil)
	port := strconv.Itoa(rc.Listener.Addr().(*net.TCPAddr).Port)
	strict := notify.New(notify.Config{Timeout: 2 * time.Second})

	t.Run("literal addresses are refused when saved and tested", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.1:" + port + "/hook", "http://169.254.169.254/latest/meta-data/",
			"http://[::1]:" + port + "/", "http://10.1.2.3/hook", "http://[::ffff:127.0.0.1]:" + port + "/"} {
			target := notify.Target{URL: u, Format: "json"}
			err := strict.CheckTarget(target)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), u)
			assert.ErrorContains(t, err, "--allow-webhook-to", u)
			_, err = strict.Test(ctx, target)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), u)
		}
		assert.NoError(t, strict.CheckTarget(notify.Target{URL: "https://hooks.slack.com/services/x", Format: "slack"}))
	})

	t.Run("a name that resolves to loopback is refused when dialled", func(t *testing.T) {
		target := notify.Target{URL: "http://localhost:" + port + "/SECRET", Format: "json"}
		require.NoError(t, strict.CheckTarget(target), "a name passes the early check")
		res, err := strict.Test(ctx, target)
		require.NoError(t, err)
		assert.False(t, res.Delivered)
		assert.Regexp(t, `refused address (127\.0\.0\.1|::1) \(loopback\)`, res.Reason)
		assert.Contains(t, res.Reason, "--allow-webhook-to")
		assert.NotContains(t, res.Reason, "SECRET")
	})

	t.Run("alerts are not delivered to loopback", func(t *testing.T) {
		logs := &logBuffer{}
		n := start(t, notify.Config{Egress: &egress.Policy{}, Logger: logs.logger(), Targets: fixedTargets(
			notify.Target{URL: "http://localhost:" + port + "/a", Format: "json"},
			notify.Target{URL: rc.URL + "/b", Format: "json"})})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Failed == 2 }, "both refused, without retries")
		assert.Contains(t, logs.String(), "refused address")
	})
	assert.Zero(t, rc.count(), "the receiver on loopback was never reached")

	t.Run("an allowed range is reached", func(t *testing.T) {
		res, err := notify.New(notify.Config{Egress: loopbackOK}).Test(ctx, notify.Target{URL: "http://localhost:" + port + "/", Format: "json"})
		require.NoError(t, err)
		assert.True(t, res.Delivered, res.Reason)
		assert.Equal(t, 1, rc.count())
	})
}
