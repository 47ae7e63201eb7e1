package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/metrics"
)

// maxPageBytes is the limit for any page.
const maxPageBytes = 200 << 10

// fillRealistically gives the rig a busy server's worth of data.
func fillRealistically(t *testing.T, r *rig) {
	t.Helper()
	ctx := context.Background()
	root := engine.WithIdentity(ctx, engine.ServerIdentity("root"))
	for i := range 30 {
		r.deploy(fmt.Sprintf("app-%02d", i), "c0")
		r.series.set(fmt.Sprintf("app-%02d", i), []metrics.Point{{Time: time.Now(), CPUPercent: 12.5, MemoryBytes: 48 << 20}})
	}
	for i := range 25 {
		r.deploy("shop", fmt.Sprintf("%040x", i))
	}
	set := map[string]string{}
	for i := range 100 {
		set[fmt.Sprintf("KEY_%03d", i)] = strings.Repeat("v", 1000)
	}
	_, err := r.eng.SetConfig(root, engine.ConfigChange{App: "shop", Set: set})
	require.NoError(t, err)
	for _, h := range []string{"shop.example.com", "www.shop.example.com", "api.shop.example.com"} {
		_, err := r.eng.AddDomain(root, "shop", h)
		require.NoError(t, err)
	}
	require.NoError(t, r.db.SaveReleaseOutput(ctx, "shop", 2, strings.Repeat("-----> a long build output line of a real build\n", 40000)))
	now := time.Now()
	var lines []engine.LogLine
	for i := range 3000 {
		lines = append(lines, engine.LogLine{Time: now, App: "shop", Process: "web", Replica: 1 + i%3, Release: 26, Stream: engine.StreamStdout,
			Text: fmt.Sprintf("%d GET /products/%d 200 in 12ms user-agent=Mozilla/5.0 (X11; Linux x86_64) %s", i, i, strings.Repeat("x", 100))})
	}
	r.logs.Append(lines...)
	var pts []metrics.Point
	for i := range 2016 { // 7 days of 5-minute points
		pts = append(pts, metrics.Point{Time: now.Add(time.Duration(i-2016) * 5 * time.Minute), Requests: float64(i % 50), Errors: float64(i % 7),
			LatencyP50: 0.012, LatencyP95: 0.2 + float64(i%10)/100, CPUPercent: float64(i % 100), MemoryBytes: float64(100<<20 + i*1000)})
	}
	r.series.set("shop", pts)
	for i := range 60 {
		_, _, err := r.acc.AddUser(ctx, fmt.Sprintf("user%02d@example.com", i), engine.RoleViewer)
		require.NoError(t, err)
		_, _, err = r.acc.CreateToken(ctx, admin, fmt.Sprintf("token %d", i), 0)
		require.NoError(t, err)
	}
	for i := range 150 {
		require.NoError(t, r.acc.Audit(root, engine.AuditEntry{Action: "config.change", App: "shop", Detail: strings.Repeat("d", 1024), Success: i%2 == 0}))
	}
}

// pagesToCheck are the dashboard's pages for an admin, with what the
// realistic data makes of them.
var pagesToCheck = []string{
	"/", "/apps/shop", "/apps/shop/releases/2", "/apps/shop/releases/26", "/apps/shop/logs", "/apps/shop/logs?n=500",
	"/apps/shop/logs?q=GET&n=500", "/apps/shop/logs?process=web", "/apps/shop/metrics", "/apps/shop/metrics?span=7d",
	"/apps/shop/config", "/apps/shop/config?key=KEY_001", "/apps/shop/config?key=KEY_099&page=1", "/apps/shop/domains",
	"/apps/shop/scale", "/users", "/tokens", "/audit", "/apps/nope",
}

func TestPages(t *testing.T) {
	r := newRig(t)
	fillRealistically(t, r)
	ada := r.signIn(admin)
	waitFor(t, 5*time.Second, "the log lines", func() bool {
		return strings.Contains(ada.get("/apps/shop/logs").body, "2999 GET")
	})
	pages := map[string]page{}
	for _, path := range pagesToCheck {
		pages[path] = ada.get(path)
	}
	pages["sign-in"] = r.browser().get("/login")
	_, secret, err := r.acc.AddUser(context.Background(), "newcomer@example.com", engine.RoleViewer)
	require.NoError(t, err)
	pages["setup"] = r.browser().get("/setup/" + secret)
	pages["rollback confirmation"] = ada.submit("/apps/shop/rollback", url.Values{"to": {"3"}})
	pages["config error"] = ada.submit("/apps/shop/config", url.Values{"key": {"9BAD"}, "value": {"x"}})

	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			if name != "/apps/nope" && name != "config error" {
				require.Equal(t, http.StatusOK, p.status, p.body)
			}
			t.Logf("%s: %d bytes", name, len(p.body))
			assert.Less(t, len(p.body), maxPageBytes, "page size")
			checkHeaders(t, p)
			checkAccessible(t, p)
			checkSelfContained(t, p)
		})
	}
	t.Run("pathological log lines keep the page light", func(t *testing.T) {
		var lines []engine.LogLine
		for range 500 {
			lines = append(lines, engine.LogLine{Time: time.Now(), App: "app-00", Process: "web", Stream: engine.StreamStderr, Text: strings.Repeat(`<"&`, 5000)})
		}
		r.logs.Append(lines...)
		waitFor(t, 5*time.Second, "the long lines", func() bool {
			return strings.Contains(ada.get("/apps/app-00/logs?n=500").body, "&lt;&#34;&amp;")
		})
		p := ada.get("/apps/app-00/logs?n=500")
		t.Logf("logs of long lines: %d bytes", len(p.body))
		assert.Less(t, len(p.body), maxPageBytes)
		assert.Contains(t, p.body, "older lines are left out")
	})
}

func checkHeaders(t *testing.T, p page) {
	t.Helper()
	csp := p.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		assert.Contains(t, csp, d)
	}
	assert.NotContains(t, csp, "unsafe")
	assert.Equal(t, "DENY", p.header.Get("X-Frame-Options"))
	assert.Equal(t, "no-referrer", p.header.Get("Referrer-Policy"))
	assert.Equal(t, "nosniff", p.header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", p.header.Get("Cache-Control"))
	assert.Equal(t, "text/html; charset=UTF-8", p.header.Get("Content-Type"))
}

// checkAccessible checks what a screen reader and a keyboard need: a
// language, landmarks, a skip link, a label for every control, headers
// for every table, unique IDs that references point to.
func checkAccessible(t *testing.T, p page) {
	t.Helper()
	htmlEl := findAll(p.doc, "html")[0]
	assert.Equal(t, "en", attr(htmlEl, "lang"))
	require.Len(t, findAll(p.doc, "main"), 1)
	assert.Equal(t, "main", attr(findAll(p.doc, "main")[0], "id"))
	assert.Equal(t, "#main", attr(findAll(p.doc, "a")[0], "href"), "the first link skips to the content")
	assert.Positive(t, len(findAll(p.doc, "h1"))+len(findAll(p.doc, "h2")), "a heading")
	ids := map[string]bool{}
	for n := range p.doc.Descendants() {
		if id := attr(n, "id"); n.Type == html.ElementNode && id != "" {
			assert.False(t, ids[id], "id %q is unique", id)
			ids[id] = true
		}
	}
	labels := map[string]bool{}
	for _, l := range findAll(p.doc, "label") {
		labels[attr(l, "for")] = true
		assert.NotEmpty(t, strings.TrimSpace(text(l)), "labels have text")
	}
	for _, tag := range []string{"input", "select", "textarea"} {
		for _, in := range findAll(p.doc, tag) {
			if attr(in, "type") == "hidden" {
				continue
			}
			labelled := labels[attr(in, "id")] && attr(in, "id") != "" || attr(in, "aria-label") != "" || attr(in, "aria-labelledby") != ""
			assert.True(t, labelled, "a %s named %q has a label", tag, attr(in, "name"))
		}
	}
	for n := range p.doc.Descendants() {
		for _, ref := range []string{"aria-describedby", "aria-labelledby"} {
			for _, id := range strings.Fields(attr(n, ref)) {
				assert.True(t, ids[id], "%s points to %q, which exists", ref, id)
			}
		}
	}
	for _, b := range findAll(p.doc, "button") {
		assert.NotEmpty(t, strings.TrimSpace(text(b)), "buttons say what they do")
	}
	for _, a := range findAll(p.doc, "a") {
		assert.NotEmpty(t, strings.TrimSpace(text(a)), "links say where they go: %s", attr(a, "href"))
	}
	for _, tbl := range findAll(p.doc, "table") {
		assert.NotEmpty(t, findAll(tbl, "th"), "tables have headers")
	}
	for n := range p.doc.Descendants() {
		if n.Type == html.ElementNode && (n.Data == "div" || n.Data == "span") {
			assert.False(t, hasAttr(n, "onclick") || attr(n, "role") == "button", "buttons are buttons")
		}
	}
}

// checkSelfContained checks that the page loads nothing from elsewhere and
// has no inline script or style, which the CSP would block anyway.
func checkSelfContained(t *testing.T, p page) {
	t.Helper()
	assert.Empty(t, findAll(p.doc, "style"))
	for n := range p.doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		assert.False(t, hasAttr(n, "style"), "no inline style on <%s>", n.Data)
		for _, a := range n.Attr {
			assert.False(t, strings.HasPrefix(a.Key, "on"), "no inline handler %s on <%s>", a.Key, n.Data)
		}
	}
	for _, s := range findAll(p.doc, "script") {
		assert.True(t, strings.HasPrefix(attr(s, "src"), "/assets/"), "scripts are the dashboard's own")
		assert.Empty(t, strings.TrimSpace(text(s)), "no inline script")
	}
	for _, l := range findAll(p.doc, "link") {
		href := attr(l, "href")
		assert.True(t, strings.HasPrefix(href, "/assets/") || strings.HasPrefix(href, "data:"), "no external resources: %s", href)
	}
}
