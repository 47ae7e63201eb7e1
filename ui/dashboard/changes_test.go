package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/metrics"
)

func TestConfig(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)
	config := func() map[string]string {
		cv, err := r.eng.Config(context.Background(), "shop")
		require.NoError(t, err)
		return cv.Vars
	}

	t.Run("saving a value deploys a release", func(t *testing.T) {
		p := dev.submit("/apps/shop/config", url.Values{"key": {"DATABASE_URL"}, "value": {"postgres://db/shop\r\nline2"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/shop/config?done=config-saved", p.header.Get("Location"))
		assert.Equal(t, "postgres://db/shop\nline2", config()["DATABASE_URL"])
		assert.Equal(t, 2, r.current("shop"))
	})
	t.Run("values are masked until revealed", func(t *testing.T) {
		p := dev.get("/apps/shop/config")
		assert.Contains(t, p.body, "DATABASE_URL")
		assert.NotContains(t, p.body, "postgres://")
		assert.Contains(t, p.body, `href="/apps/shop/config?key=DATABASE_URL#selected"`)
		p = dev.get("/apps/shop/config?key=DATABASE_URL")
		assert.Contains(t, p.body, "postgres://db/shop")
		assert.Contains(t, p.body, "Change DATABASE_URL")
	})
	t.Run("bad keys and values are explained next to their field", func(t *testing.T) {
		for _, tc := range []struct{ key, value, field, says string }{
			{"9LIVES", "x", "config-key-error", "not a valid environment variable name"},
			{"PORT", "x", "config-key-error", "set by Quayside"},
			{"", "x", "config-key-error", "Config key is empty."},
			{"NUL", "a\x00b", "config-value-error", "NUL byte"},
		} {
			p := dev.submit("/apps/shop/config", url.Values{"key": {tc.key}, "value": {tc.value}})
			assert.Equal(t, http.StatusBadRequest, p.status, tc.key)
			assert.Contains(t, p.body, `id="`+tc.field+`">`, tc.key)
			assert.Contains(t, p.body, tc.says, tc.key)
			assert.Contains(t, p.body, `aria-invalid="true"`, tc.key)
		}
		p := dev.submit("/apps/shop/config", url.Values{"key": {"BIG"}, "value": {strings.Repeat("x", 200<<10)}})
		assert.Equal(t, http.StatusRequestEntityTooLarge, p.status, "the body limit holds")
		assert.Contains(t, p.body, "Too large")
		assert.NotContains(t, config(), "BIG")
	})
	t.Run("removing asks first, then deploys without the value", func(t *testing.T) {
		p := dev.submit("/apps/shop/config/unset", url.Values{"key": {"DATABASE_URL"}})
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "Remove DATABASE_URL from shop?")
		assert.Contains(t, config(), "DATABASE_URL")
		p = dev.submit("/apps/shop/config/unset", url.Values{"key": {"DATABASE_URL"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.NotContains(t, config(), "DATABASE_URL")
		p = dev.submit("/apps/shop/config/unset", url.Values{"key": {"DATABASE_URL"}, "confirm": {"yes"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, "is not set")
	})
}

func TestDomainsAndScale(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)

	t.Run("a domain is added with its certificate state", func(t *testing.T) {
		p := dev.submit("/apps/shop/domains", url.Values{"host": {"Shop.Example.com"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		p = dev.get("/apps/shop/domains")
		assert.Contains(t, p.body, "shop.example.com")
		assert.Contains(t, p.body, "shop.example.test")
		assert.Contains(t, p.body, `<span class="badge s-none">none</span>`)
	})
	t.Run("a bad domain is explained next to the field", func(t *testing.T) {
		for _, host := range []string{"*.example.com", "nodot", "shop.example.com", "bad_host.example.com"} {
			p := dev.submit("/apps/shop/domains", url.Values{"host": {host}})
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusConflict}, p.status, host)
			assert.Contains(t, p.body, `id="domain-host-error">`, host)
		}
	})
	t.Run("a domain is removed once confirmed", func(t *testing.T) {
		p := dev.submit("/apps/shop/domains/remove", url.Values{"host": {"shop.example.com"}})
		assert.Contains(t, p.body, "Remove shop.example.com from shop?")
		p = dev.submit("/apps/shop/domains/remove", url.Values{"host": {"shop.example.com"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.NotContains(t, dev.get("/apps/shop/domains").body, "shop.example.com<")
	})
	t.Run("scaling changes the count", func(t *testing.T) {
		p := dev.get("/apps/shop/scale")
		assert.Contains(t, p.body, `name="scale.web"`)
		p = dev.submit("/apps/shop/scale", url.Values{"scale.web": {"3"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		app, err := r.eng.FindApp(context.Background(), "shop")
		require.NoError(t, err)
		assert.Equal(t, 3, app.Scale["web"])
		assert.Contains(t, dev.get("/apps/shop/scale").body, `value="3"`)
	})
	t.Run("bad counts are explained next to the field", func(t *testing.T) {
		for _, n := range []string{"x", "-1", "99"} {
			p := dev.submit("/apps/shop/scale", url.Values{"scale.web": {n}})
			assert.Equal(t, http.StatusBadRequest, p.status, n)
			assert.Contains(t, p.body, `id="scale-web-error"`, n)
		}
		p := dev.submit("/apps/shop/scale", url.Values{"scale.worker": {"1"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, "no process type")
	})
}

func TestUsersTokensAndAudit(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	ada := r.signIn(admin)

	t.Run("an admin changes roles, but not of the last admin", func(t *testing.T) {
		p := ada.submit("/users/role", url.Values{"email": {viewer}, "role": {engine.RoleDeveloper}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		u, err := r.acc.FindUser(context.Background(), viewer)
		require.NoError(t, err)
		assert.Equal(t, engine.RoleDeveloper, u.Role)
		p = ada.submit("/users/role", url.Values{"email": {admin}, "role": {engine.RoleViewer}})
		assert.Equal(t, http.StatusConflict, p.status)
		assert.Contains(t, p.body, "is the last admin")
		p = ada.submit("/users/role", url.Values{"email": {viewer}, "role": {"root"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="manage-role-error"`)
	})
	t.Run("a bad e-mail is explained next to the field", func(t *testing.T) {
		p := ada.submit("/users/add", url.Values{"email": {"not-an-email"}, "role": {engine.RoleViewer}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="user-email-error"`)
		p = ada.submit("/users/add", url.Values{"email": {developer}, "role": {engine.RoleViewer}})
		assert.Equal(t, http.StatusConflict, p.status)
	})
	t.Run("access is given and taken away", func(t *testing.T) {
		p := ada.submit("/users/revoke", url.Values{"email": {developer}, "app": {"shop"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, http.StatusNotFound, r.signIn(developer).get("/apps/shop").status)
		p = ada.submit("/users/grant", url.Values{"email": {developer}, "app": {"shop"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, http.StatusOK, r.signIn(developer).get("/apps/shop").status)
	})
	t.Run("disabling signs the user out; removing asks first", func(t *testing.T) {
		out := r.signIn(outsider)
		p := ada.submit("/users/disable", url.Values{"email": {outsider}})
		require.Equal(t, http.StatusSeeOther, p.status)
		assert.Equal(t, http.StatusSeeOther, out.get("/").status)
		p = ada.submit("/users/remove", url.Values{"email": {outsider}})
		assert.Contains(t, p.body, "Remove "+outsider+"?")
		p = ada.submit("/users/remove", url.Values{"email": {outsider}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status)
		_, err := r.acc.FindUser(context.Background(), outsider)
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		assert.Equal(t, http.StatusNotFound, ada.submit("/users/nope", url.Values{}).status)
	})
	t.Run("a token's secret is shown once", func(t *testing.T) {
		vic := r.signIn(developer)
		p := vic.submit("/tokens", url.Values{"name": {"CI <deploys>"}, "expires": {"30d"}})
		require.Equal(t, http.StatusOK, p.status, p.body)
		_, rest, ok := strings.Cut(p.body, "<code>qs_")
		require.True(t, ok, p.body)
		secret := "qs_" + rest[:40]
		assert.Contains(t, p.body, "CI &lt;deploys&gt;")
		_, u, err := r.acc.AuthenticateToken(context.Background(), secret, "test")
		require.NoError(t, err)
		assert.Equal(t, developer, u.Email)
		p = vic.get("/tokens")
		assert.NotContains(t, p.body, secret)
		assert.Contains(t, p.body, secret[:8]+"…")
		assert.NotContains(t, p.body, "ada's", "a developer sees only their own tokens")
		p = vic.submit("/tokens", url.Values{"name": {"x"}, "expires": {"forever"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="token-expires-error"`)
		p = vic.submit("/tokens", url.Values{"name": {strings.Repeat("n", 65)}, "expires": {"never"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="token-name-error"`)
		toks, err := r.acc.ListTokens(context.Background(), engine.Identity{Role: engine.RoleAdmin}, developer)
		require.NoError(t, err)
		require.Len(t, toks, 1)
		id := toks[0].ID
		assert.Equal(t, http.StatusNotFound, r.signIn(viewer).submit("/tokens/revoke", url.Values{"id": {itoa(id)}, "confirm": {"yes"}}).status, "nobody else's")
		p = vic.submit("/tokens/revoke", url.Values{"id": {itoa(id)}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		_, _, err = r.acc.AuthenticateToken(context.Background(), secret, "test")
		assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
	})
	t.Run("the audit log lists changes and filters them", func(t *testing.T) {
		p := ada.get("/audit")
		require.Equal(t, http.StatusOK, p.status)
		for _, action := range []string{"signin", "user.role", "access.revoke", "token.create", "user.remove"} {
			assert.Contains(t, p.body, ">"+action+"<")
		}
		p = ada.get("/audit?actor=" + url.QueryEscape(developer))
		assert.NotContains(t, p.body, ">user.role<")
		assert.Contains(t, p.body, ">token.create<")
	})
}

func TestMetricsAndLiveViews(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)

	t.Run("no metrics yet", func(t *testing.T) {
		assert.Contains(t, dev.get("/apps/shop/metrics").body, "No metrics yet")
		r.start(nil)
		dev = r.signIn(developer)
		assert.Contains(t, dev.get("/apps/shop/metrics").body, "No metrics yet")
		assert.Contains(t, dev.get("/").body, "No metrics yet")
		r.start(r.series)
		dev = r.signIn(developer)
	})
	t.Run("charts are drawn on the server", func(t *testing.T) {
		now := time.Now()
		r.series.set("shop", []metrics.Point{
			{Time: now.Add(-20 * time.Second), Requests: 4, LatencyP50: 0.01, LatencyP95: 0.05, CPUPercent: 10, MemoryBytes: 64 << 20},
			{Time: now.Add(-10 * time.Second), Requests: 8, Errors: 1, LatencyP50: 0.02, LatencyP95: 0.1, CPUPercent: 30, MemoryBytes: 80 << 20},
		})
		p := dev.get("/apps/shop/metrics")
		assert.Len(t, findAll(p.doc, "svg"), 5)
		assert.Len(t, findAll(p.doc, "polyline"), 6)
		assert.Contains(t, p.body, "Requests per second over the last 1h: requests/s latest 8.00, average 6.00, peak 8.00.")
		assert.Contains(t, p.body, "80.0 MiB")
		assert.Contains(t, dev.get("/").body, "30.0%", "the overview shows CPU at a glance")
	})
	t.Run("the logs page follows the API's WebSocket", func(t *testing.T) {
		p := dev.get("/apps/shop/logs?process=web")
		view := findAll(p.doc, "section")[0]
		assert.Equal(t, "shop", attr(view, "data-app"))
		assert.Equal(t, "web", attr(view, "data-process"))
		assert.Contains(t, p.body, `role="log" aria-live="polite"`)
		p = dev.get("/apps/shop/logs?process=nope")
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="process-error"`)
	})
	t.Run("a deploy in progress shows its live output", func(t *testing.T) {
		rel := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseBuilding, Description: "Deploy c2", Commit: "c2", CreatedAt: time.Now()}
		require.NoError(t, r.db.CreateRelease(context.Background(), rel))
		p := dev.get("/apps/shop/releases/2")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `data-release="2" data-release-live`, "the whole deploy streams: build, start, health check, release")
		assert.Contains(t, p.body, `data-release-status="building"`, "the status the script watches")
		assert.Contains(t, p.body, "still building")
	})
}

func TestAssets(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	p := b.get("/login")
	var css, js string
	for _, l := range findAll(p.doc, "link") {
		if attr(l, "rel") == "stylesheet" {
			css = attr(l, "href")
		}
	}
	js = attr(findAll(p.doc, "script")[0], "src")
	for path, ctype := range map[string]string{css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8"} {
		a := b.get(path)
		require.Equal(t, http.StatusOK, a.status, path)
		assert.Equal(t, ctype, a.header.Get("Content-Type"))
		assert.Contains(t, a.header.Get("Cache-Control"), "immutable")
		assert.Equal(t, "nosniff", a.header.Get("X-Content-Type-Options"))
		assert.Less(t, len(a.body), 20<<10, "assets stay small")
		assert.NotContains(t, a.body, "http://")
		assert.NotContains(t, a.body, "https://")
	}
	assert.NotContains(t, b.get(strings.Split(js, "?")[0]).header.Get("Cache-Control"), "immutable", "unversioned URLs are revalidated")
	assert.Equal(t, http.StatusNotFound, b.get("/assets/nope.js").status)
	p = b.get("/no/such/page")
	assert.Equal(t, http.StatusNotFound, p.status)
	assert.Contains(t, p.body, "There is no page at this address.")
	assert.Equal(t, "DENY", p.header.Get("X-Frame-Options"), "error pages carry the security headers")
	assert.Equal(t, http.StatusNotFound, b.get("/assets/..%2fdashboard.go").status)
}

func itoa(n int64) string { return strconvFormat(n) }
