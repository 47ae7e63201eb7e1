package api

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestServerURL(t *testing.T) {
	for raw, want := range map[string]string{
		"quayside.example.com":               "https://quayside.example.com",
		"https://quayside.example.com/":      "https://quayside.example.com",
		"http://quayside.localhost:8080/x?y": "http://quayside.localhost:8080",
		"ftp://quayside.example.com":         "",
		"https://":                           "",
	} {
		got, err := ServerURL(raw)
		if want == "" {
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), raw)
			continue
		}
		require.NoError(t, err, raw)
		assert.Equal(t, want, got, raw)
	}
}

func TestRemoteClientUsesTheTokenSavedForThatServerOnly(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, err := SaveCredentials(&Credentials{URL: "https://a.example.com", Token: "qs_a"})
	require.NoError(t, err)
	cl, err := NewRemoteClient("a.example.com", "")
	require.NoError(t, err)
	assert.Equal(t, "qs_a", cl.Token)
	cl, err = NewRemoteClient("https://b.example.com", "")
	require.NoError(t, err)
	assert.Empty(t, cl.Token, "another server never gets the saved token")
	cl, err = NewRemoteClient("https://a.example.com", "qs_given")
	require.NoError(t, err)
	assert.Equal(t, "qs_given", cl.Token)
}

func TestRemoteHTTPReachesLocalhostNamesOnLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.Host))
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	resp, err := RemoteHTTP().Get("http://quayside.localhost:" + port + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
