package dashboard_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/internal/syncbuf"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/store/logs"
	"github.com/quayside/quayside/ui/auth"
	"github.com/quayside/quayside/ui/dashboard"
	"github.com/quayside/quayside/ui/metrics"
)

// Users of every rig, by role.
const (
	admin     = "ada@example.com"
	developer = "dev@example.com"
	viewer    = "vic@example.com"
	outsider  = "out@example.com" // a developer without access to shop
)

// fakeHasher is a fast engine.Hasher.
type fakeHasher struct{}

func (fakeHasher) Hash(pw string) (string, error) { return "fake$" + pw, nil }

func (fakeHasher) Check(hash, pw string) error {
	if hash != "fake$"+pw {
		return errors.New("mismatch")
	}
	return nil
}

func password(email string) string { return "correct horse " + email }

// fakeSeries is a metrics.Series with fixed points per app.
type fakeSeries struct {
	mu  sync.Mutex
	pts map[string][]metrics.Point
}

func (s *fakeSeries) AppSeries(app string, _ time.Duration) []metrics.Point {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pts[app]
}

func (s *fakeSeries) set(app string, pts []metrics.Point) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pts[app] = pts
}

// rig is the dashboard over a real engine (fake runtime, builder and
// router), real Accounts and a real SQLite store and log store.
type rig struct {
	t      *testing.T
	db     *store.DB
	eng    *engine.Engine
	acc    *engine.Accounts
	logs   *logs.Store
	series *fakeSeries
	srv    *httptest.Server
	// logged is everything the dashboard logged.
	logged *syncbuf.Buffer
}

func newRig(t *testing.T) *rig {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ls, err := logs.Open(filepath.Join(t.TempDir(), "logs"), logs.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ls.Close() })
	r := &rig{t: t, db: db, logs: ls, series: &fakeSeries{pts: map[string][]metrics.Point{}}, logged: &syncbuf.Buffer{}}
	r.acc = engine.NewAccounts(engine.AccountsConfig{Store: db, Hasher: fakeHasher{}})
	rt := enginetest.NewRuntime()
	r.eng = engine.New(engine.Config{
		Store: db, Runtime: rt, Builder: &enginetest.Builder{}, Router: enginetest.NewRouter(), Repos: &enginetest.Repos{},
		Health: enginetest.Health{RT: rt}, Domain: "example.test", StopGrace: time.Millisecond, Access: r.acc, Logs: ls,
	})
	r.start(r.series)
	r.addUsers()
	return r
}

// start serves a dashboard with the given series (nil for none) as the
// control host does: every request identified, changes with a session
// checked for their CSRF token, errors shown as dashboard pages.
func (r *rig) start(series metrics.Series) {
	a := auth.New(r.acc)
	d := dashboard.New(dashboard.Config{
		Engine: r.eng, Accounts: r.acc, Auth: a, Series: series, Version: "test",
		Links:  testLinks,
		Logger: slog.New(slog.NewTextHandler(r.logged, nil)),
	})
	if r.srv != nil {
		r.srv.Close()
	}
	r.srv = httptest.NewServer(d.Handler())
	r.t.Cleanup(r.srv.Close)
}

// testLinks are the public addresses of the rig's server: none on a
// standard port, so that a URL missing its port shows.
var testLinks = dashboard.Links{
	HostURL: func(host string) string { return "https://" + host + ":8443" },
	GitSSH:  "ssh://git@example.test:2222/", Control: "https://quayside.example.test:8443",
}

func (r *rig) addUsers() {
	ctx := context.Background()
	for email, role := range map[string]string{admin: engine.RoleAdmin, developer: engine.RoleDeveloper, viewer: engine.RoleViewer, outsider: engine.RoleDeveloper} {
		_, secret, err := r.acc.AddUser(ctx, email, role)
		require.NoError(r.t, err)
		require.NoError(r.t, r.acc.SetPasswordWithLink(ctx, secret, password(email)))
	}
}

// deploy pushes commit to app (creating it) and grants the developer and
// the viewer access to it.
func (r *rig) deploy(app, commit string) *engine.Release {
	r.t.Helper()
	ctx := context.Background()
	require.NoError(r.t, r.eng.PreparePush(ctx, app, "tester"))
	rel, err := r.eng.Push(ctx, engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: commit, Author: "tester", Source: enginetest.Source{}})
	require.NoError(r.t, err)
	for _, u := range []string{developer, viewer} {
		require.NoError(r.t, r.acc.Grant(ctx, app, u))
	}
	return rel
}

// release returns app's current release number.
func (r *rig) current(app string) int {
	r.t.Helper()
	a, err := r.eng.FindApp(context.Background(), app)
	require.NoError(r.t, err)
	return a.CurrentRelease
}

// browser is one browser session against the rig's dashboard: it keeps
// cookies and does not follow redirects.
type browser struct {
	r      *rig
	client *http.Client
	header http.Header
}

func (r *rig) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(r.t, err)
	return &browser{r: r, header: http.Header{}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signIn returns a browser signed in as email.
func (r *rig) signIn(email string) *browser {
	r.t.Helper()
	b := r.browser()
	res := b.post("/login", url.Values{"email": {email}, "password": {password(email)}})
	require.Equal(r.t, http.StatusSeeOther, res.status, res.body)
	return b
}

// page is an answer as the tests look at it.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func (b *browser) do(method, path string, form url.Values) page {
	b.r.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.r.srv.URL+path, body)
	require.NoError(b.r.t, err)
	for k, v := range b.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.client.Do(req)
	require.NoError(b.r.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(b.r.t, err)
	doc, err := html.Parse(bytes.NewReader(raw))
	require.NoError(b.r.t, err)
	return page{status: res.StatusCode, header: res.Header, body: string(raw), doc: doc}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

// post sends form as is: with no CSRF token unless it has one.
func (b *browser) post(path string, form url.Values) page { return b.do(http.MethodPost, path, form) }

// submit sends form with the session's CSRF token, read from a page.
func (b *browser) submit(path string, form url.Values) page {
	b.r.t.Helper()
	form.Set(auth.CSRFField, b.csrf())
	return b.post(path, form)
}

// csrf reads the CSRF token from the tokens page's forms.
func (b *browser) csrf() string {
	b.r.t.Helper()
	p := b.get("/tokens")
	require.Equal(b.r.t, http.StatusOK, p.status, p.body)
	for _, in := range findAll(p.doc, "input") {
		if attr(in, "name") == auth.CSRFField && attr(in, "value") != "" {
			return attr(in, "value")
		}
	}
	b.r.t.Fatal("no CSRF token on the page")
	return ""
}

// cookie returns the session cookie the browser holds, "" when none.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.r.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == auth.CookieName {
			return c.Value
		}
	}
	return ""
}

// setCookie plants a session cookie in the browser.
func (b *browser) setCookie(value string) {
	u, _ := url.Parse(b.r.srv.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: auth.CookieName, Value: value, Path: "/"}})
}

// findAll returns the elements named tag under n, in document order.
func findAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// text is the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// forms returns the action of every form on p whose method is post.
func (p page) postActions() []string {
	var out []string
	for _, f := range findAll(p.doc, "form") {
		if strings.EqualFold(attr(f, "method"), "post") {
			out = append(out, attr(f, "action"))
		}
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func strconvFormat(n int64) string { return fmt.Sprint(n) }
