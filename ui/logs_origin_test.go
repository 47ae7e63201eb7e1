package ui_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/store/logs"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/auth"
)

// TestLogsWebSocketOrigin dials the logs WebSocket of a control host
// served over TLS the way browsers and the CLI do: a page on another
// origin (another site, an app on a sibling host, the control host over
// plain HTTP) is refused even with the user's session cookie; the
// dashboard's own origin and a client with an API token are let in.
func TestLogsWebSocketOrigin(t *testing.T) {
	h, token, session := newLogsRig(t)
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	cookie := auth.CookieName
	const control = "quayside.example.test"
	wsURL := "wss" + strings.TrimPrefix(srv.URL, "https") + "/api/v1/apps/shop/logs/ws?n=0"
	dialer := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}}

	for _, tc := range []struct {
		name, origin, cred string
		want               int
	}{
		{"the dashboard's own page", "https://" + control, "cookie", http.StatusSwitchingProtocols},
		{"the dashboard's own page, port written out", "https://" + control + ":443", "cookie", http.StatusSwitchingProtocols},
		{"another site", "https://evil.example.com", "cookie", http.StatusForbidden},
		{"an app on a sibling host", "https://someapp.example.test", "cookie", http.StatusForbidden},
		{"the control host over plain HTTP", "http://" + control, "cookie", http.StatusForbidden},
		{"a cookie without Origin", "", "cookie", http.StatusForbidden},
		{"a token without Origin (the CLI)", "", "token", http.StatusSwitchingProtocols},
		{"a token from another site", "https://evil.example.com", "token", http.StatusForbidden},
		{"nobody", "https://" + control, "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Host": {control}}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			switch tc.cred {
			case "cookie":
				h.Set("Cookie", (&http.Cookie{Name: "__Host-" + cookie, Value: session}).String())
			case "token":
				h.Set("Authorization", "Bearer "+token)
			}
			conn, res, err := dialer.Dial(wsURL, h)
			require.NotNil(t, res, "dial: %v", err)
			assert.Equal(t, tc.want, res.StatusCode)
			if conn != nil {
				conn.Close()
			}
		})
	}
}

// TestLogsWebSocketOriginOverHTTP checks the same on a control host served
// over plain HTTP (local mode): an https origin is another origin.
func TestLogsWebSocketOriginOverHTTP(t *testing.T) {
	h, _, session := newLogsRig(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/v1/apps/shop/logs/ws?n=0"
	host := strings.TrimPrefix(srv.URL, "http://")
	for origin, want := range map[string]int{
		"http://" + host:  http.StatusSwitchingProtocols,
		"https://" + host: http.StatusForbidden,
	} {
		hdr := http.Header{"Origin": {origin}, "Cookie": {(&http.Cookie{Name: auth.CookieName, Value: session}).String()}}
		conn, res, err := websocket.DefaultDialer.Dial(wsURL, hdr)
		require.NotNil(t, res, "dial: %v", err)
		assert.Equal(t, want, res.StatusCode, origin)
		if conn != nil {
			conn.Close()
		}
	}
}

// newLogsRig returns the control host's handler over an engine that
// keeps logs, with app "shop", the API token of an admin and the session
// secret of a developer who may see "shop".
func newLogsRig(t *testing.T) (http.Handler, string, string) {
	t.Helper()
	ctx := context.Background()
	eng, acc := newLogsEngine(t)
	_, _, err := acc.AddUser(ctx, "admin@example.test", engine.RoleAdmin)
	require.NoError(t, err)
	_, token, err := acc.CreateToken(ctx, "admin@example.test", "cli", 0)
	require.NoError(t, err)
	session := signInAs(t, acc, "reader@example.test")
	s := ui.New(ui.Config{Engine: eng, Accounts: acc, Version: "test", Domain: "example.test", ControlURL: "https://quayside.example.test"})
	return s.RemoteHandler(), token, session
}

// newLogsEngine returns an engine over a real store that keeps logs, with
// the app "shop" deployed, and its accounts.
func newLogsEngine(t *testing.T) (*engine.Engine, *engine.Accounts) {
	t.Helper()
	ls, err := logs.Open(filepath.Join(t.TempDir(), "logs"), logs.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ls.Close() })
	eng, acc := newTestEngine(t, ls)
	deploy(t, eng, "shop", "img1")
	return eng, acc
}

// newTestEngine returns an engine over a real store in t.TempDir() with
// fake Docker, builder and router, keeping logs in ls (none when nil), and
// its accounts.
func newTestEngine(t *testing.T, ls engine.LogStore) (*engine.Engine, *engine.Accounts) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	acc := engine.NewAccounts(engine.AccountsConfig{Store: db, Hasher: testHasher{}})
	rt := enginetest.NewRuntime()
	eng := engine.New(engine.Config{
		Store: db, Runtime: rt, Builder: &enginetest.Builder{}, Router: enginetest.NewRouter(),
		Repos: &enginetest.Repos{}, Health: enginetest.Health{RT: rt}, Domain: "example.test", Access: acc, Logs: ls,
	})
	return eng, acc
}

// signInAs adds a developer who may see "shop", sets their password and
// returns the secret of a new session.
func signInAs(t *testing.T, acc *engine.Accounts, email string) string {
	t.Helper()
	ctx := context.Background()
	_, link, err := acc.AddUser(ctx, email, engine.RoleDeveloper)
	require.NoError(t, err)
	require.NoError(t, acc.Grant(ctx, "shop", email))
	const pw = "correct horse battery staple"
	require.NoError(t, acc.SetPasswordWithLink(ctx, link, pw))
	_, secret, err := acc.SignIn(ctx, email, pw, "127.0.0.1")
	require.NoError(t, err)
	return secret
}
