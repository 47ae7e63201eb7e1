package notify_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
)

func TestTest(t *testing.T) {
	ctx := context.Background()
	n := notify.New(notify.Config{ServerName: "box1", Timeout: 2 * time.Second})
	t.Cleanup(func() { _ = n.Close() })

	t.Run("sends one test notification", func(t *testing.T) {
		rc := newReceiver(t, nil)
		require.NoError(t, n.Test(ctx, notify.Target{URL: rc.URL, Format: "slack"}))
		require.Equal(t, 1, rc.count())
		text := decode[map[string]string](t, rc.requests()[0].body)["text"]
		assert.Equal(t, ":wave: test notification from Quayside on box1: alerts reach this webhook", text)

		require.NoError(t, n.Test(ctx, notify.Target{URL: rc.URL, Format: "json", App: "myapp"}))
		p := decode[notify.Payload](t, rc.requests()[1].body)
		assert.Equal(t, notify.KindTest, p.Event)
		assert.Equal(t, "myapp", p.App)
	})

	tests := []struct {
		name   string
		answer func(int, http.ResponseWriter, *http.Request)
		code   string
		says   []string
	}{
		{"refused", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("no_service\n"))
		}, engine.EINVALID, []string{"refused", "404 Not Found", `"no_service"`, "check the URL"}},
		{"failing", status(http.StatusBadGateway), engine.EUNAVAILABLE, []string{"502 Bad Gateway", "try again later"}},
		{"rate limited", status(http.StatusTooManyRequests), engine.EUNAVAILABLE, []string{"429 Too Many Requests"}},
		{"redirect", func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
		}, engine.EINVALID, []string{"301 Moved Permanently", "redirect"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.answer)
			err := n.Test(ctx, notify.Target{URL: rc.URL + "/SECRET", Format: "json"})
			require.Error(t, err)
			assert.Equal(t, tt.code, engine.ErrorCode(err))
			for _, s := range append(tt.says, rc.Listener.Addr().String()) {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), "SECRET")
			assert.Equal(t, 1, rc.count(), "one attempt, no retry")
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		rc := newReceiver(t, nil)
		rc.Close()
		err := n.Test(ctx, notify.Target{URL: rc.URL + "/SECRET", Format: "json"})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, err.Error(), "could not reach the webhook at "+rc.Listener.Addr().String())
		assert.Contains(t, err.Error(), "connection refused")
		assert.NotContains(t, err.Error(), "SECRET")
	})

	t.Run("connection dropped", func(t *testing.T) {
		rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
		err := n.Test(ctx, notify.Target{URL: rc.URL, Format: "json"})
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.ErrorContains(t, err, "connection closed without an answer")
	})

	t.Run("unknown host", func(t *testing.T) {
		err := n.Test(ctx, notify.Target{URL: "https://quayside-test.invalid/SECRET", Format: "json"})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Regexp(t, `^could not reach the webhook at quayside-test\.invalid: (host name|no answer within)`, err.Error())
		assert.NotContains(t, err.Error(), ":53", "the server's resolver is not shown")
		assert.NotContains(t, err.Error(), "SECRET")
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		rc := newReceiver(t, hang(release))
		short := notify.New(notify.Config{Timeout: 50 * time.Millisecond})
		err := short.Test(ctx, notify.Target{URL: rc.URL, Format: "json"})
		require.Error(t, err)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, err.Error(), "no answer within 50ms")
	})

	t.Run("invalid target", func(t *testing.T) {
		err := n.Test(ctx, notify.Target{URL: "https://u:p@example.com/x", Format: "json"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Equal(t, map[string]string{"url": err.Error()}, engine.ErrorFields(err))
	})
}
