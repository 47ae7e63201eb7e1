package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// hrefs returns the href of every link on p.
func (p page) hrefs() []string {
	var out []string
	for _, a := range findAll(p.doc, "a") {
		out = append(out, attr(a, "href"))
	}
	return out
}

// TestURLsCarryTheRealPorts checks that every URL the pages print for an
// app, a domain or a push has the server's scheme and ports.
func TestURLsCarryTheRealPorts(t *testing.T) {
	r := newRig(t)
	b := r.signIn(admin)

	empty := b.get("/")
	require.Equal(t, http.StatusOK, empty.status)
	assert.Contains(t, empty.body, "git push ssh://git@example.test:2222/myapp.git main")
	assert.Contains(t, empty.body, "git push https://quayside.example.test:8443/myapp.git main")
	assert.NotContains(t, empty.body, "&lt;server&gt;")

	r.deploy("shop", "c1")
	root := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.AddDomain(root, "shop", "www.shop.example.com")
	require.NoError(t, err)
	assert.Contains(t, b.get("/").hrefs(), "https://shop.example.test:8443")
	assert.Contains(t, b.get("/apps/shop").hrefs(), "https://shop.example.test:8443")
	doms := b.get("/apps/shop/domains").hrefs()
	assert.Contains(t, doms, "https://shop.example.test:8443/", "the default host")
	assert.Contains(t, doms, "https://www.shop.example.com:8443/", "a custom domain")
	for _, h := range doms {
		u, err := url.Parse(h)
		require.NoError(t, err)
		if u.Host != "" {
			assert.Equal(t, "8443", u.Port(), "every absolute link has the port: %s", h)
		}
	}

	v := r.signIn(viewer)
	assert.NotContains(t, v.get("/").body, "git push", "a viewer cannot create apps: no push instructions")
}

// TestNewAppIsNotActive checks that an app with nothing deployed reads
// "not deployed" on the overview and its own page, never "active".
func TestNewAppIsNotActive(t *testing.T) {
	r := newRig(t)
	root := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.CreateApp(root, "fresh", "root")
	require.NoError(t, err)
	b := r.signIn(admin)
	for _, path := range []string{"/", "/apps/fresh"} {
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status)
		badges := badgeTexts(p)
		assert.Contains(t, badges, "not deployed", path)
		assert.NotContains(t, badges, "active", path)
	}
	body := b.get("/apps/fresh").body
	assert.Contains(t, body, "git remote add quayside ssh://git@example.test:2222/fresh.git\ngit push quayside main", "how to deploy it")
	assert.Contains(t, body, "git push https://quayside.example.test:8443/fresh.git main", "and over HTTPS")
	assert.Equal(t, 1, strings.Count(body, "git remote add quayside"), "the instructions are shown once")
}

func badgeTexts(p page) []string {
	var out []string
	for _, s := range findAll(p.doc, "span") {
		if hasClass(s, "badge") {
			out = append(out, text(s))
		}
	}
	return out
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// TestTrailingSlashRedirects checks that /apps/shop/ leads to /apps/shop,
// and that no path with slashes can make it redirect to another site.
func TestTrailingSlashRedirects(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	b := r.signIn(admin)
	for path, want := range map[string]string{
		"/apps/shop/":               "/apps/shop",
		"/apps/shop/logs/?n=5":      "/apps/shop/logs?n=5",
		"/audit//":                  "/audit",
		"//evil.example/":           "/evil.example",
		"///evil.example//":         "/evil.example",
		"/%2F%2Fevil.example/":      "/%2F%2Fevil.example",
		"/apps/%0d%0aSet-Cookie:x/": "/apps/%0d%0aSet-Cookie:x",
	} {
		p := b.get(path)
		assert.Equal(t, http.StatusMovedPermanently, p.status, path)
		assert.Equal(t, want, p.header.Get("Location"), path)
	}
	assert.Equal(t, http.StatusOK, b.get("/apps/shop/").followed(b).status)
	p := b.get(`/\evil.example/`)
	assert.NotEqual(t, http.StatusMovedPermanently, p.status, "a backslash path is not redirected")
	p = b.post("/apps/shop/rollback/", url.Values{})
	assert.NotEqual(t, http.StatusMovedPermanently, p.status, "only GET and HEAD are redirected")
}

// followed fetches the page p redirects to.
func (p page) followed(b *browser) page {
	return b.get(p.header.Get("Location"))
}

// TestPageBeyondTheEndSaysSo checks that ?page= past the end shows the last
// page with a note that says so, in the paged lists and the audit log.
func TestPageBeyondTheEndSaysSo(t *testing.T) {
	r := newRig(t)
	b := r.signIn(admin)
	for _, path := range []string{"/users?page=999", "/tokens?page=999", "/audit?page=999"} {
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status, path)
		assert.Contains(t, p.body, "There is no page 999", path)
	}
	p := b.get("/audit?page=1000000")
	assert.Contains(t, p.body, "There is no page 1000000", "a huge page number reads a bounded number of pages")
	assert.NotContains(t, b.get("/users?page=1").body, "There is no page")
}

// TestUsedSetupLinkSaysSoOnGET checks that a used or unknown setup link
// says so when opened, without a form, and that opening a good one does
// not use it up.
func TestUsedSetupLinkSaysSoOnGET(t *testing.T) {
	r := newRig(t)
	_, secret, err := r.acc.AddUser(context.Background(), "new@example.com", engine.RoleViewer)
	require.NoError(t, err)
	b := r.browser()
	for range 2 {
		p := b.get("/setup/" + secret)
		require.Equal(t, http.StatusOK, p.status)
		assert.Len(t, mainForms(p), 1)
	}
	require.NoError(t, r.acc.SetPasswordWithLink(context.Background(), secret, "a long enough password"))
	for _, s := range []string{secret, "nonsense", fmt.Sprintf("%0500d", 0)} {
		p := b.get("/setup/" + s)
		assert.Equal(t, http.StatusNotFound, p.status)
		assert.Contains(t, p.body, "setup link is not valid")
		assert.Empty(t, mainForms(p), "no form to fill in for nothing")
	}
}

// mainForms are the forms in the page's main element.
func mainForms(p page) []*html.Node {
	mains := findAll(p.doc, "main")
	if len(mains) == 0 {
		return nil
	}
	return findAll(mains[0], "form")
}

// TestReleasesSayWhoAndWhat checks that a release shows the person behind
// it, how they acted in a tooltip, and its commit subject.
func TestReleasesSayWhoAndWhat(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	require.NoError(t, r.eng.PreparePush(ctx, "shop", "laptop"))
	_, err := r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: strings.Repeat("a", 40),
		Author: "laptop", Subject: "Fix the <b>sign-in</b> page", Source: enginetest.Source{}})
	require.NoError(t, err)
	b := r.signIn(admin)
	p := b.get("/apps/shop")
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, `<span title="with the server owner&#39;s SSH key “laptop”">server owner</span>`)
	assert.Contains(t, p.body, "Deploy aaaaaaa: Fix the &lt;b&gt;sign-in&lt;/b&gt; page", "the subject, escaped")
	rel := b.get("/apps/shop/releases/1")
	assert.Contains(t, rel.body, "server owner <span class=\"muted\">(with the server owner&#39;s SSH key “laptop”)</span>")
}
