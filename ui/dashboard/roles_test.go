package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCSRF(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	r.deploy("shop", "c2")
	dev := r.signIn(developer)
	change := url.Values{"key": {"A"}, "value": {"1"}}

	for name, tc := range map[string]struct {
		token  string
		header map[string]string
	}{
		"missing token":            {},
		"another session's token":  {token: r.signIn(viewer).csrf()},
		"forged token":             {token: "x"},
		"right token, other site":  {token: dev.csrf(), header: map[string]string{"Origin": "https://evil.example"}},
		"right token, sibling app": {token: dev.csrf(), header: map[string]string{"Sec-Fetch-Site": "same-site"}},
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			form := url.Values{"to": {"1"}, "confirm": {"yes"}}
			for k, v := range change {
				form[k] = v
			}
			if tc.token != "" {
				form.Set("csrf_token", tc.token)
			}
			for k, v := range tc.header {
				dev.header.Set(k, v)
			}
			defer func() { dev.header = http.Header{} }()
			for _, path := range []string{"/apps/shop/config", "/apps/shop/rollback", "/tokens", "/logout"} {
				p := dev.post(path, form)
				assert.Equal(t, http.StatusForbidden, p.status, path)
				assert.Contains(t, p.body, "Not allowed", "an error page, not JSON")
			}
			cv, err := r.eng.Config(context.Background(), "shop")
			require.NoError(t, err)
			assert.Empty(t, cv.Vars, "nothing changed")
			assert.Equal(t, 2, r.current("shop"))
		})
	}
	t.Run("the right token from the dashboard itself works", func(t *testing.T) {
		dev.header.Set("Origin", r.srv.URL)
		dev.header.Set("Sec-Fetch-Site", "same-origin")
		defer func() { dev.header = http.Header{} }()
		p := dev.submit("/apps/shop/config", change)
		assert.Equal(t, http.StatusSeeOther, p.status, p.body)
	})
	t.Run("sign-in forms posted from another site are refused", func(t *testing.T) {
		b := r.browser()
		b.header.Set("Origin", "https://evil.example")
		p := b.post("/login", url.Values{"email": {developer}, "password": {password(developer)}})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Empty(t, b.cookie())
	})
}

func TestViewerSeesNoControlsAndIsRefused(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	r.deploy("shop", "c2")
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"SECRET": "hunter2-value"}})
	require.NoError(t, err)
	vic := r.signIn(viewer)
	before := r.current("shop")

	t.Run("pages show no controls", func(t *testing.T) {
		for _, path := range []string{"/apps/shop", "/apps/shop/config", "/apps/shop/domains", "/apps/shop/scale", "/apps/shop/logs", "/apps/shop/metrics"} {
			p := vic.get(path)
			require.Equal(t, http.StatusOK, p.status, path)
			assert.Empty(t, p.postActions()[1:], "%s: only the sign-out form posts", path)
			assert.NotContains(t, p.body, "Roll back", path)
			assert.NotContains(t, p.body, "hunter2-value", path)
			assert.NotContains(t, p.body, "Reveal", path)
		}
		p := vic.get("/")
		assert.NotContains(t, p.body, `href="/users"`)
		assert.NotContains(t, p.body, `href="/audit"`)
	})
	t.Run("posting anyway is refused", func(t *testing.T) {
		for path, form := range map[string]url.Values{
			"/apps/shop/rollback":       {"to": {"1"}},
			"/apps/shop/config":         {"key": {"A"}, "value": {"1"}},
			"/apps/shop/config/unset":   {"key": {"SECRET"}, "confirm": {"yes"}},
			"/apps/shop/scale":          {"scale.web": {"3"}},
			"/apps/shop/domains":        {"host": {"shop.example.com"}},
			"/apps/shop/domains/remove": {"host": {"shop.example.com"}},
			"/users/add":                {"email": {"x@example.com"}, "role": {"admin"}},
			"/users/role":               {"email": {viewer}, "role": {"admin"}},
			"/users/grant":              {"email": {viewer}, "app": {"shop"}},
		} {
			p := vic.submit(path, form)
			assert.Equal(t, http.StatusForbidden, p.status, path)
			form.Set("confirm", "yes")
			p = vic.submit(path, form)
			assert.Equal(t, http.StatusForbidden, p.status, path+" confirmed")
			assert.Contains(t, p.body, "Not allowed")
		}
		assert.Equal(t, before, r.current("shop"))
		u, err := r.acc.FindUser(context.Background(), viewer)
		require.NoError(t, err)
		assert.Equal(t, engine.RoleViewer, u.Role)
	})
	t.Run("values, users and the audit log stay hidden", func(t *testing.T) {
		for _, path := range []string{"/apps/shop/config?key=SECRET", "/users", "/audit"} {
			p := vic.get(path)
			assert.Equal(t, http.StatusForbidden, p.status, path)
			assert.NotContains(t, p.body, "hunter2-value")
		}
	})
	t.Run("an app one may not see does not exist", func(t *testing.T) {
		out := r.signIn(outsider)
		for _, path := range []string{"/apps/shop", "/apps/shop/logs", "/apps/shop/config", "/apps/shop/releases/1", "/apps/nope"} {
			p := out.get(path)
			assert.Equal(t, http.StatusNotFound, p.status, path)
			assert.Contains(t, p.body, "Not found")
		}
		p := out.submit("/apps/shop/rollback", url.Values{"to": {"1"}, "confirm": {"yes"}})
		assert.Equal(t, http.StatusNotFound, p.status)
		assert.NotContains(t, out.get("/").body, "shop")
	})
	t.Run("refusals are in the audit log", func(t *testing.T) {
		es, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{Actor: viewer, Limit: 100})
		require.NoError(t, err)
		found := false
		for _, e := range es {
			found = found || (e.Action == "denied."+string(engine.ActChangeConfig) && !e.Success)
		}
		assert.True(t, found, "a refused config change is audited")
	})
}

func TestRollback(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	r.deploy("shop", "c2")
	dev := r.signIn(developer)

	t.Run("the app page offers to roll back to earlier releases", func(t *testing.T) {
		p := dev.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `Roll back<span class="sr-only"> to v1</span>`)
		assert.NotContains(t, p.body, "> to v2<", "not to the live release")
		assert.Contains(t, p.body, `data-confirm="Roll back shop to v1?`)
	})
	t.Run("without confirmation it asks first", func(t *testing.T) {
		p := dev.submit("/apps/shop/rollback", url.Values{"to": {"1"}})
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "Roll back shop to v1?")
		assert.Contains(t, p.body, `name="confirm" value="yes"`)
		assert.Equal(t, 2, r.current("shop"), "nothing happened yet")
	})
	t.Run("confirmed, it rolls back", func(t *testing.T) {
		p := dev.submit("/apps/shop/rollback", url.Values{"to": {"1"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/shop?done=rolled-back", p.header.Get("Location"))
		assert.Equal(t, 3, r.current("shop"))
		p = dev.get("/apps/shop?done=rolled-back")
		assert.Contains(t, p.body, "Rolled back")
		assert.Contains(t, p.body, "v3 is live")
		assert.Contains(t, p.body, dev.r.srv.URL[:0]+developer, "the author is the signed-in user")
	})
	t.Run("bad targets are explained", func(t *testing.T) {
		for _, to := range []string{"", "x", "-1", "99"} {
			p := dev.submit("/apps/shop/rollback", url.Values{"to": {to}, "confirm": {"yes"}})
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, p.status, "to=%q", to)
			assert.Contains(t, p.body, `class="error" role="alert"`)
		}
		assert.Equal(t, 3, r.current("shop"))
	})
	t.Run("a release page shows its output", func(t *testing.T) {
		p := dev.get("/apps/shop/releases/" + strconv.Itoa(2))
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "building c2")
		assert.Equal(t, http.StatusNotFound, dev.get("/apps/shop/releases/42").status)
		assert.Equal(t, http.StatusNotFound, dev.get("/apps/shop/releases/abc").status)
	})
}
