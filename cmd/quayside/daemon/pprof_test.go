package daemon

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// Profiles show the daemon's memory: only loopback may serve them.
func TestPprofListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6060", "[::]:0", "no-port"} {
		_, err := listenPprof(addr)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), addr)
		assert.Contains(t, engine.ErrorMessage(err), "not a loopback address", addr)
	}

	l, err := listenPprof("127.0.0.1:0")
	require.NoError(t, err)
	go servePprof(t.Context(), l, slog.New(slog.DiscardHandler))
	resp, err := http.Get("http://" + l.Addr().String() + "/debug/pprof/goroutine?debug=1")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "goroutine profile")
}

// A web page cannot read the profiles: not through DNS rebinding (its own
// name resolved to 127.0.0.1, so the Host is the page's), nor by loading
// them from its own origin (an <img> or fetch carries Sec-Fetch-Site).
func TestPprofRefusesRequestsFromWebPages(t *testing.T) {
	l, err := listenPprof("127.0.0.1:0")
	require.NoError(t, err)
	go servePprof(t.Context(), l, slog.New(slog.DiscardHandler))
	_, port, _ := net.SplitHostPort(l.Addr().String())
	get := func(host string, header map[string]string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, "http://"+l.Addr().String()+"/debug/pprof/cmdline", nil)
		require.NoError(t, err)
		req.Host = host
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, c := range []struct {
		name   string
		host   string
		header map[string]string
	}{
		{"DNS rebinding", "rebind.attacker.example:" + port, nil},
		{"DNS rebinding without a port", "rebind.attacker.example", nil},
		{"a name that only starts like localhost", "localhost.attacker.example:" + port, nil},
		{"another site's image or fetch", "127.0.0.1:" + port, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"a sibling site", "localhost:" + port, map[string]string{"Sec-Fetch-Site": "same-site"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := get(c.host, c.header)
			assert.Equal(t, http.StatusForbidden, status)
			assert.NotContains(t, body, "daemon.test", "the command line stays hidden")
			assert.Contains(t, body, "127.0.0.1 or localhost")
		})
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port} {
		status, _ := get(host, map[string]string{"Sec-Fetch-Site": "none"})
		assert.Equal(t, http.StatusOK, status, host)
	}
}
