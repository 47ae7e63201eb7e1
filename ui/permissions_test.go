package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/ui"
)

type testHasher struct{}

func (testHasher) Hash(pw string) (string, error) { return password.Hash(pw) }
func (testHasher) Check(h, pw string) error       { return password.Check(h, pw) }

// remoteAPI serves the control host's API over an engine with access
// control, with one API token per role. Developer and viewer see "shop";
// "outsider" is a developer who sees no app.
type remoteAPI struct {
	srv      *httptest.Server
	eng      *engine.Engine
	accounts *engine.Accounts
	tokens   map[string]string // role or "outsider" -> token
}

func newRemoteAPI(t *testing.T) *remoteAPI {
	t.Helper()
	ctx := context.Background()
	eng, acc := newTestEngine(t, nil)
	deploy(t, eng, "shop", "img1")
	deploy(t, eng, "shop", "img2")
	r := &remoteAPI{eng: eng, accounts: acc, tokens: map[string]string{}}
	for name, role := range map[string]string{"admin": engine.RoleAdmin, "developer": engine.RoleDeveloper, "viewer": engine.RoleViewer, "outsider": engine.RoleDeveloper} {
		email := name + "@example.test"
		_, _, err := acc.AddUser(ctx, email, role)
		require.NoError(t, err)
		if name != "outsider" && role != engine.RoleAdmin {
			require.NoError(t, acc.Grant(ctx, "shop", email))
		}
		_, secret, err := acc.CreateToken(ctx, email, "test", 0)
		require.NoError(t, err)
		r.tokens[name] = secret
	}
	s := ui.New(ui.Config{Engine: eng, Accounts: acc, Version: "test", Domain: "example.test", ControlURL: "https://quayside.example.test"})
	r.srv = httptest.NewServer(s.RemoteHandler())
	t.Cleanup(r.srv.Close)
	return r
}

// do sends method path as who ("" for nobody) with a JSON body.
func (r *remoteAPI) do(t *testing.T, who, method, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	}
	resp, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// concrete fills a route's parameters with values that exist where it matters.
func concrete(path string) string {
	return strings.NewReplacer(":app", "shop", ":number", "1", ":host", "www.shop.test", ":name", "nokey",
		":email", "nobody@example.test", ":id", "999999").Replace(path)
}

// TestEveryRouteHasARule fails when a route is served without a rule in
// the route table (and so without a row in the permission test below).
func TestEveryRouteHasARule(t *testing.T) {
	r := newRemoteAPI(t)
	_ = r
	s := ui.New(ui.Config{Engine: r.eng, Accounts: r.accounts})
	rules := ui.RouteRules()
	var missing []string
	for _, route := range s.Routes() {
		if _, ok := rules[route]; !ok {
			missing = append(missing, route)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "routes without a rule in ui/routes.go")
	assert.Len(t, s.Routes(), len(rules))
}

// TestPermissions checks every route for every role: 401 without a token,
// 403 for a role that may not, 404 for an app the caller cannot see, and
// neither for those who may.
func TestPermissions(t *testing.T) {
	r := newRemoteAPI(t)
	for route, rule := range ui.RouteRules() {
		method, path, _ := strings.Cut(route, " ")
		if strings.HasSuffix(path, "/logs/ws") || route == "POST /api/v1/login" {
			continue // a WebSocket upgrade and the password exchange are tested apart
		}
		url := concrete(path)
		t.Run(route, func(t *testing.T) {
			if rule != ui.Public {
				assert.Equal(t, http.StatusUnauthorized, r.do(t, "", method, url, "{}").StatusCode, "anonymous")
			}
			for _, role := range []string{engine.RoleAdmin, engine.RoleDeveloper, engine.RoleViewer} {
				got := r.do(t, role, method, url, "{}").StatusCode
				allowed := rule == ui.Public || rule == ui.SignedIn || engine.RoleAllows(role, rule)
				if allowed {
					assert.NotContains(t, []int{401, 403}, got, "%s may %s", role, rule)
				} else {
					assert.Equal(t, http.StatusForbidden, got, "%s may not %s", role, rule)
				}
			}
			if strings.Contains(path, ":app") {
				got := r.do(t, "outsider", method, url, "{}").StatusCode
				assert.Contains(t, []int{403, 404}, got, "an app the caller cannot see")
				if engine.RoleAllows(engine.RoleDeveloper, rule) {
					assert.Equal(t, http.StatusNotFound, got, "an app the caller cannot see is not found")
				}
			}
		})
	}
}

func TestRevokedTokenIsRefused(t *testing.T) {
	r := newRemoteAPI(t)
	assert.Equal(t, http.StatusOK, r.do(t, "viewer", "GET", "/api/v1/apps", "").StatusCode)
	ctx := context.Background()
	toks, err := r.accounts.ListTokens(ctx, engine.Identity{Role: engine.RoleAdmin}, "viewer@example.test")
	require.NoError(t, err)
	require.NoError(t, r.accounts.RevokeToken(ctx, engine.Identity{Role: engine.RoleAdmin}, toks[0].ID))
	assert.Equal(t, http.StatusUnauthorized, r.do(t, "viewer", "GET", "/api/v1/apps", "").StatusCode)
}

func TestOnlyThoseWhoMayRevealSeeConfigValues(t *testing.T) {
	r := newRemoteAPI(t)
	_, err := r.eng.SetConfig(context.Background(), engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "s3cret"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, r.do(t, "viewer", "GET", "/api/v1/apps/shop/config?reveal=true", "").StatusCode)
	assert.Equal(t, http.StatusOK, r.do(t, "developer", "GET", "/api/v1/apps/shop/config?reveal=true", "").StatusCode)

	ctx := engine.WithIdentity(context.Background(), engine.Identity{Name: "v", User: "viewer@example.test", Role: engine.RoleViewer})
	cv, err := r.eng.Config(ctx, "shop")
	require.NoError(t, err)
	assert.Contains(t, cv.Vars, "SECRET", "a viewer sees the names")
	assert.Empty(t, cv.Vars["SECRET"], "but not the values, whatever asks the engine")
}

func TestRotatingTheJoinTokenIsForServerAdminsOnly(t *testing.T) {
	const route = "POST /api/v1/cluster/join-command/rotate"
	rule, ok := ui.RouteRules()[route]
	require.True(t, ok, "the route is in the role table")
	assert.Equal(t, engine.ActServer, rule, "only server admins rotate the worker join token")
	r := newRemoteAPI(t)
	assert.Equal(t, http.StatusUnauthorized, r.do(t, "", "POST", "/api/v1/cluster/join-command/rotate", "").StatusCode)
	for _, who := range []string{"developer", "viewer", "outsider"} {
		assert.Equal(t, http.StatusForbidden, r.do(t, who, "POST", "/api/v1/cluster/join-command/rotate", "").StatusCode, who)
	}
	assert.Equal(t, http.StatusNotImplemented, r.do(t, "admin", "POST", "/api/v1/cluster/join-command/rotate", "").StatusCode,
		"an admin reaches the engine, which has no cluster here")
}
