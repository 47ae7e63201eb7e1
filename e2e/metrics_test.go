package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrapeStatus reads /metrics from the control host with token ("" for
// none) and returns the status.
func (s *server) scrapeStatus(token string) int {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.controlURL()+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := loopbackClient.Do(req)
	require.NoError(s.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// scrape reads /metrics from the control host (the loopback address is
// allowed without a token by default) and parses it with Prometheus's
// text parser.
func (s *server) scrape() map[string]*dto.MetricFamily {
	s.t.Helper()
	resp, err := loopbackClient.Get(s.controlURL() + "/metrics")
	require.NoError(s.t, err)
	defer resp.Body.Close()
	require.Equal(s.t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.LegacyValidation) // the zero parser panics since prometheus/common v0.67
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(s.t, err, "/metrics parses as Prometheus text")
	return fams
}

// counter returns the value of the sample of fam whose labels include want.
func counter(fams map[string]*dto.MetricFamily, fam string, want map[string]string) float64 {
	f := fams[fam]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	return 0
}

// TestMetricsCountWhatTheProxyServes: /metrics parses and its request
// counter matches the requests made; tokens of non-admins are refused.
func TestMetricsCountWhatTheProxyServes(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "metrics"), "web")
	before := counter(s.scrape(), "quayside_http_requests_total", map[string]string{"app": "web", "code": "2xx"})
	const n = 37
	for range n {
		s.body("web", "/")
	}
	for range 5 {
		code, _, err := s.get("web", "/env?k=NOPE") // 200 as well: counted too
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)
	}
	var got float64
	waitFor(t, 10*time.Second, "the counter to include every request", func() bool {
		got = counter(s.scrape(), "quayside_http_requests_total", map[string]string{"app": "web", "code": "2xx"}) - before
		return got == n+5
	})
	fams := s.scrape()
	for _, name := range []string{"quayside_http_request_duration_seconds", "go_goroutines", "quayside_deploys_total", "quayside_log_lines_total"} {
		assert.Contains(t, fams, name)
	}
	assert.Equal(t, 1.0, counter(fams, "quayside_deploys_total", map[string]string{"app": "web", "result": "succeeded"}))

	var hist struct {
		Points []struct {
			Requests float64 `json:"requests_per_second"`
		} `json:"points"`
	}
	s.addUser("admin@example.test", "admin", "admin password 1")
	admin := s.remote()
	admin.login("admin@example.test", "admin password 1")
	token := strings.TrimSpace(lastLine(admin.must("tokens", "create")))
	assert.Equal(t, http.StatusOK, s.api("GET", "/api/v1/apps/web/metrics?span=1h", token, nil, &hist), "the history the dashboard charts")
	assert.Equal(t, http.StatusBadRequest, s.api("GET", "/api/v1/apps/web/metrics?span=9999h", token, nil, nil))
}

// TestMetricsNeedAnAdminOffTheAllowList: with loopback off the allow-list,
// /metrics wants an admin's token.
func TestMetricsNeedAnAdminOffTheAllowList(t *testing.T) {
	s := startServer(t, "--metrics-allow", "10.0.0.0/8")
	s.addUser("admin@example.test", "admin", "admin password 1")
	s.addUser("dev@example.test", "developer", "developer password 1")
	admin, dev := s.remote(), s.remote()
	admin.login("admin@example.test", "admin password 1")
	dev.login("dev@example.test", "developer password 1")
	assert.Equal(t, http.StatusUnauthorized, s.scrapeStatus(""))
	assert.Equal(t, http.StatusForbidden, s.scrapeStatus(strings.TrimSpace(lastLine(dev.must("tokens", "create")))))
	assert.Equal(t, http.StatusOK, s.scrapeStatus(strings.TrimSpace(lastLine(admin.must("tokens", "create")))))
}

// hookReceiver collects the webhook calls it gets.
type hookReceiver struct {
	mu    sync.Mutex
	calls []map[string]any
	srv   *httptest.Server
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		h.mu.Lock()
		h.calls = append(h.calls, v)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) got(event string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.calls {
		if c["event"] == event {
			return true
		}
	}
	return false
}

// TestCrashLoopRaisesAnEventAndAWebhook: a process that keeps crashing is
// reported as an event and to the server's webhook.
func TestCrashLoopRaisesAnEventAndAWebhook(t *testing.T) {
	s := startServer(t, "--allow-webhook-to", "127.0.0.0/8") // the receiver is on loopback
	hook := newHookReceiver(t)
	s.mustCLI("alerts", "add", hook.srv.URL+"/hook")
	s.mustCLI("alerts", "test", hook.srv.URL+"/hook")
	assert.True(t, hook.got("alerts.test"), "the test alert arrives at once")
	repo := sampleRepo(t, "crashy")
	writeFile(t, repo, "Procfile", "web: /sampleapp\nworker: /sampleapp exit 1\n")
	commitAll(t, repo, "a worker that crashes")
	s.mustPush(repo, "crashy")
	_, _ = s.cli("ps", "scale", "crashy", "worker=1")
	waitFor(t, 60*time.Second, "a crash-loop event", func() bool {
		out, _ := s.cli("events", "crashy")
		return strings.Contains(out, "process.crash_looping")
	})
	waitFor(t, 30*time.Second, "the webhook call", func() bool { return hook.got("process.crash_looping") })
}
