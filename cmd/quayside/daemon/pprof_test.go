package daemon

import (
	"io"
	"log/slog"
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
