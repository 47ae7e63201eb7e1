package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProxyCarriesHeadersAndWebSockets(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "x"), "app")

	headers := s.body("app", "/headers")
	assert.Contains(t, headers, "X-Forwarded-For=127.0.0.1")
	assert.Contains(t, headers, "X-Forwarded-Proto=http")
	assert.Contains(t, headers, "X-Forwarded-Host=app.localhost")
	assert.Contains(t, headers, "Host=app.localhost")

	h := http.Header{}
	h.Set("Host", "app.localhost")
	d := websocket.Dialer{}
	conn, resp, err := d.Dial("ws://"+s.httpAddr+"/ws", http.Header{"Host": {"app.localhost"}})
	if resp != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	defer conn.Close()
	for _, msg := range []string{"hello", strings.Repeat("x", 100000)} {
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(msg)))
		_, got, err := conn.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, msg, string(got))
	}
}
