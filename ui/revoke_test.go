package ui_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/api"
)

// followRig serves the control host's API with a log store; dev is a
// developer of "shop" with an API token.
type followRig struct {
	srv      *httptest.Server
	accounts *engine.Accounts
	token    string
}

func newFollowRig(t *testing.T) *followRig {
	t.Helper()
	ctx := context.Background()
	eng, acc := newLogsEngine(t)
	_, _, err := acc.AddUser(ctx, "dev@example.test", engine.RoleDeveloper)
	require.NoError(t, err)
	require.NoError(t, acc.Grant(ctx, "shop", "dev@example.test"))
	_, secret, err := acc.CreateToken(ctx, "dev@example.test", "test", 0)
	require.NoError(t, err)
	s := ui.New(ui.Config{Engine: eng, Accounts: acc, Version: "test", Domain: "example.test", ControlURL: "https://quayside.example.test"})
	srv := httptest.NewServer(s.RemoteHandler())
	t.Cleanup(srv.Close)
	return &followRig{srv: srv, accounts: acc, token: secret}
}

// TestLogFollowerCutOffWhenDisabled follows logs over the HTTP stream and
// over a WebSocket with a developer's token, disables the developer, and
// checks both streams end at once, saying why.
func TestLogFollowerCutOffWhenDisabled(t *testing.T) {
	r := newFollowRig(t)

	httpDone := make(chan error, 1)
	cl := &api.Client{BaseURL: r.srv.URL, HTTP: r.srv.Client(), Token: r.token}
	go func() {
		httpDone <- cl.FollowLogs(t.Context(), "shop", api.LogParams{N: 1}, func(api.LogEvent) {})
	}()

	wsURL := "ws" + strings.TrimPrefix(r.srv.URL, "http") + "/api/v1/apps/shop/logs/ws?n=0"
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + r.token}})
	require.NoError(t, err)
	resp.Body.Close()
	defer conn.Close()
	wsDone := make(chan []any, 1)
	go func() {
		var got []any
		for {
			var ev api.LogEvent
			if err := conn.ReadJSON(&ev); err != nil {
				wsDone <- append(got, err)
				return
			}
			got = append(got, ev)
		}
	}()
	require.Eventually(t, func() bool { return r.accounts.HeldWork("dev@example.test") == 2 },
		10*time.Second, 10*time.Millisecond, "both streams are held")
	require.NoError(t, r.accounts.DisableUser(context.Background(), "dev@example.test"))

	select {
	case err := <-httpDone:
		require.Error(t, err)
		assert.Contains(t, engine.ErrorMessage(err), "your account was disabled")
	case <-time.After(10 * time.Second):
		t.Fatal("the HTTP log stream went on after the account was disabled")
	}
	select {
	case got := <-wsDone:
		require.NotEmpty(t, got)
		last := got[len(got)-1].(error)
		var ce *websocket.CloseError
		require.True(t, errors.As(last, &ce), "closed by the server: %v", last)
		assert.Equal(t, websocket.ClosePolicyViolation, ce.Code)
		assert.Contains(t, ce.Text, "your account was disabled")
		ev, ok := got[len(got)-2].(api.LogEvent)
		require.True(t, ok)
		assert.Equal(t, "error", ev.Type)
		assert.Equal(t, engine.EUNAUTHORIZED, ev.Error.Code)
	case <-time.After(10 * time.Second):
		t.Fatal("the WebSocket log stream went on after the account was disabled")
	}
	// And a new stream is refused: the token's user is read per request.
	err = cl.FollowLogs(t.Context(), "shop", api.LogParams{N: 1}, func(api.LogEvent) {})
	assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
}

// TestKeysAddedWithATokenBelongToTheUser adds keys through the remote API:
// an admin's key is the admin's (not the server owner's), an admin may
// add one for another user, a developer may not.
func TestKeysAddedWithATokenBelongToTheUser(t *testing.T) {
	r := newRemoteAPI(t)
	ctx := context.Background()
	admin := &api.Client{BaseURL: r.srv.URL, HTTP: r.srv.Client(), Token: r.tokens["admin"]}
	dev := &api.Client{BaseURL: r.srv.URL, HTTP: r.srv.Client(), Token: r.tokens["developer"]}

	k, err := admin.AddKey(ctx, "admins-laptop", authorizedKey(t))
	require.NoError(t, err)
	assert.Equal(t, engine.KeyOwnerUser, k.Owner)
	assert.Equal(t, "admin@example.test", k.User)

	k, err = admin.AddKeyFor(ctx, "for-viewer", authorizedKey(t), "viewer@example.test")
	require.NoError(t, err)
	assert.Equal(t, "viewer@example.test", k.User)

	_, err = dev.AddKeyFor(ctx, "for-admin", authorizedKey(t), "admin@example.test")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))

	keys, err := admin.ListKeys(ctx)
	require.NoError(t, err)
	owners := map[string]string{}
	for _, k := range keys {
		owners[k.Name] = k.Owner + ":" + k.User
	}
	assert.Equal(t, map[string]string{"admins-laptop": "user:admin@example.test", "for-viewer": "user:viewer@example.test"}, owners)
}
