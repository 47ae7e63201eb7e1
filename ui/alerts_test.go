package ui_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
	"github.com/quayside/quayside/internal/egress"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/api"
)

// alertsAPI is remoteAPI wired to a real alert sender with policy p, as
// cmd/quayside wires it.
func alertsAPI(t *testing.T, p *egress.Policy) *remoteAPI {
	t.Helper()
	r := newRemoteAPI(t)
	n := notify.New(notify.Config{Egress: p, Timeout: 2 * time.Second})
	s := ui.New(ui.Config{
		Engine: r.eng, Accounts: r.accounts, Version: "test", Domain: "example.test",
		TestWebhook: func(ctx context.Context, app string, w engine.Webhook) (bool, string, error) {
			res, err := n.Test(ctx, notify.Target{URL: w.URL, Format: w.Format, App: app})
			return res.Delivered, res.Reason, err
		},
		CheckWebhook: func(w engine.Webhook) error { return n.CheckTarget(notify.Target{URL: w.URL, Format: w.Format}) },
	})
	r.srv = httptest.NewServer(s.RemoteHandler())
	t.Cleanup(r.srv.Close)
	return r
}

// call is do that returns the status and the body.
func (r *remoteAPI) call(t *testing.T, who, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	resp, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// secretReceiver answers every request with status and a body that must
// never reach the caller.
func secretReceiver(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"AccessKeyId":"AKIASECRETBODY"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestViewersSeeTheWebhookHostOnly(t *testing.T) {
	r := alertsAPI(t, &egress.Policy{})
	const hook = `{"webhooks":[{"url":"https://hooks.slack.com/services/T0/B0/SECRET","format":"slack"}]}`
	code, _ := r.call(t, "developer", "PUT", "/api/v1/apps/shop/alerts", hook)
	require.Equal(t, http.StatusOK, code)

	code, body := r.call(t, "viewer", "GET", "/api/v1/apps/shop/alerts", "")
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, body, "SECRET")
	var l api.WebhookList
	require.NoError(t, json.Unmarshal([]byte(body), &l))
	assert.Equal(t, []api.Webhook{{Host: "hooks.slack.com", Format: "slack"}}, l.Webhooks)

	for _, who := range []string{"developer", "admin"} {
		_, body = r.call(t, who, "GET", "/api/v1/apps/shop/alerts", "")
		assert.Contains(t, body, "/services/T0/B0/SECRET", who)
	}
}

func TestAddingAWebhookToAnInternalAddressIsRefused(t *testing.T) {
	r := alertsAPI(t, &egress.Policy{})
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x", "http://10.0.0.5/x"} {
		code, body := r.call(t, "developer", "PUT", "/api/v1/apps/shop/alerts", `{"webhooks":[{"url":"`+u+`","format":"json"}]}`)
		assert.Equal(t, http.StatusBadRequest, code, u)
		assert.Contains(t, body, "--allow-webhook-to", u)
	}
	allowed := alertsAPI(t, &egress.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	code, _ := allowed.call(t, "developer", "PUT", "/api/v1/apps/shop/alerts", `{"webhooks":[{"url":"http://10.0.0.5/x","format":"json"}]}`)
	assert.Equal(t, http.StatusOK, code, "an allowed range")
}

func TestAlertTestIsCheckedAgainstItsApp(t *testing.T) {
	srv, hits := secretReceiver(t, http.StatusOK)
	r := alertsAPI(t, &egress.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	body := `{"url":"` + srv.URL + `/hook","format":"json"}`
	for _, tc := range []struct {
		who, path string
		code      int
	}{
		{"viewer", "/api/v1/apps/shop/alerts/test", http.StatusForbidden},
		{"outsider", "/api/v1/apps/shop/alerts/test", http.StatusNotFound},
		{"developer", "/api/v1/alerts/test", http.StatusForbidden},
		{"developer", "/api/v1/apps/shop/alerts/test", http.StatusOK},
		{"admin", "/api/v1/alerts/test", http.StatusOK},
	} {
		code, got := r.call(t, tc.who, "POST", tc.path, body)
		assert.Equal(t, tc.code, code, "%s %s: %s", tc.who, tc.path, got)
	}
	assert.Equal(t, int32(2), hits.Load(), "only the allowed tests were sent")
}

func TestAlertTestSaysWhyWithoutTheReceiversBody(t *testing.T) {
	srv, hits := secretReceiver(t, http.StatusInternalServerError)
	t.Run("refused address", func(t *testing.T) {
		r := alertsAPI(t, &egress.Policy{})
		code, body := r.call(t, "developer", "POST", "/api/v1/apps/shop/alerts/test",
			`{"url":"`+strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+`/hook","format":"json"}`)
		require.Equal(t, http.StatusOK, code, body)
		var res api.WebhookTestResult
		require.NoError(t, json.Unmarshal([]byte(body), &res))
		assert.False(t, res.Delivered)
		assert.Contains(t, res.Reason, "(loopback)")
		assert.Zero(t, hits.Load(), "the receiver on loopback is not reached")

		code, body = r.call(t, "developer", "POST", "/api/v1/apps/shop/alerts/test", `{"url":"`+srv.URL+`/hook","format":"json"}`)
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, body, "--allow-webhook-to")
	})
	t.Run("status only", func(t *testing.T) {
		r := alertsAPI(t, &egress.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		code, body := r.call(t, "developer", "POST", "/api/v1/apps/shop/alerts/test", `{"url":"`+srv.URL+`/hook","format":"json"}`)
		require.Equal(t, http.StatusOK, code, body)
		assert.Equal(t, int32(1), hits.Load())
		assert.Contains(t, body, `"delivered":false`)
		assert.Contains(t, body, "500 Internal Server Error")
		assert.NotContains(t, body, "AKIASECRETBODY", "the receiver's body is not echoed")
	})
}
