package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebhooksCannotReachTheServerOrItsNetworks performs the attacks a
// user who may add webhooks could try against a server started without
// --allow-webhook-to: webhooks to loopback (by address and by a name that
// resolves to it), the cloud metadata address, IPv6 loopback and a
// private address. None reaches the receiver listening on loopback.
func TestWebhooksCannotReachTheServerOrItsNetworks(t *testing.T) {
	s := startServer(t)
	hook := newHookReceiver(t)
	port := strconv.Itoa(hook.srv.Listener.Addr().(*net.TCPAddr).Port)

	for _, u := range []string{"http://127.0.0.1:" + port + "/hook", "http://169.254.169.254/latest/meta-data/",
		"http://[::1]:" + port + "/hook", "http://10.0.0.1/hook"} {
		out, err := s.cli("alerts", "add", u)
		require.Error(t, err, "alerts add %s:\n%s", u, out)
		assert.Contains(t, out, "--allow-webhook-to", u)
		out, err = s.cli("alerts", "test", u)
		require.Error(t, err, "alerts test %s:\n%s", u, out)
		assert.Contains(t, out, "--allow-webhook-to", u)
	}

	byName := "http://localhost:" + port + "/SECRET"
	s.mustCLI("alerts", "add", byName) // a name is judged when dialled
	out, err := s.cli("alerts", "test", byName)
	require.Error(t, err)
	assert.Regexp(t, `not delivered: could not reach the webhook at localhost:\d+: refused address (127\.0\.0\.1|::1) \(loopback\)`, out)
	assert.NotContains(t, out, "SECRET")

	// A real alert to the same webhook is refused at dial time too.
	repo := sampleRepo(t, "hi")
	writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY nothing-here /nope\n")
	commitAll(t, repo, "a build that fails")
	_, _ = s.push(repo, "broken")
	waitFor(t, 60*time.Second, "the refusal in the daemon's log", func() bool {
		return strings.Contains(s.logs.String(), "refused address")
	})
	assert.False(t, hook.got("deploy.failed"))
	assert.False(t, hook.got("alerts.test"))
}

// TestAllowedRangeReachesTheReceiver: --allow-webhook-to opens a range.
func TestAllowedRangeReachesTheReceiver(t *testing.T) {
	s := startServer(t, "--allow-webhook-to", "10.0.0.0/8,127.0.0.0/8")
	hook := newHookReceiver(t)
	out := s.mustCLI("alerts", "test", hook.srv.URL+"/hook")
	assert.Contains(t, out, "delivered")
	assert.True(t, hook.got("alerts.test"))
}

// TestAlertTestAnswersWithoutTheReceiversBody: what the receiver says is
// never shown, only its status.
func TestAlertTestAnswersWithoutTheReceiversBody(t *testing.T) {
	s := startServer(t, "--allow-webhook-to", "127.0.0.0/8")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"Code":"Success","AccessKeyId":"ASIASECRETBODY"}`))
	}))
	t.Cleanup(srv.Close)
	out, err := s.cli("alerts", "test", srv.URL+"/hook")
	require.Error(t, err)
	assert.Contains(t, out, "not delivered: the webhook at "+srv.Listener.Addr().String()+" answered 404 Not Found")
	assert.NotContains(t, out, "ASIASECRETBODY")
}

// TestViewersSeeWebhookHostsAndDestroyForgetsWebhooks: a viewer listing an
// app's alerts sees hosts only; a destroyed app's webhooks go with it.
func TestViewersSeeWebhookHostsAndDestroyForgetsWebhooks(t *testing.T) {
	s := startServer(t)
	s.addUser("viewer@example.test", "viewer", "viewer password 1")
	s.mustCLI("apps", "create", "shop")
	s.mustCLI("members", "add", "shop", "viewer@example.test")
	const secret = "https://hooks.slack.com/services/T0/B0/SECRETTOKEN"
	s.mustCLI("alerts", "add", "--for-app", "shop", "--format", "slack", secret)
	assert.Contains(t, s.mustCLI("alerts", "list", "--for-app", "shop", "--json"), "SECRETTOKEN", "the server's owner sees it")

	viewer := s.remote()
	viewer.login("viewer@example.test", "viewer password 1")
	for _, args := range [][]string{{"alerts", "list", "--for-app", "shop"}, {"alerts", "list", "--for-app", "shop", "--json"}} {
		out := viewer.must(toAny(args)...)
		assert.Contains(t, out, "hooks.slack.com")
		assert.NotContains(t, out, "SECRETTOKEN")
		assert.NotContains(t, out, "/services/")
	}
	_, code := viewer.run("alerts", "test", "--for-app", "shop", "https://hooks.slack.com/x")
	assert.Equal(t, 5, code, "a viewer may not send test alerts")

	s.mustCLI("apps", "destroy", "shop", "--confirm", "shop")
	s.mustCLI("apps", "create", "shop")
	out := s.mustCLI("alerts", "list", "--for-app", "shop", "--json")
	assert.NotContains(t, out, "hooks.slack.com", "a new app of the same name inherits nothing")
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
