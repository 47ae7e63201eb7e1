package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/testenv"
)

// chromiumPath is the browser the dashboard test drives (Debian's package).
const chromiumPath = "/usr/bin/chromium"

// artifactDir is where the dashboard test saves its screenshots:
// $QUAYSIDE_ARTIFACTS, or e2e/artifacts, which ignores itself in git.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("QUAYSIDE_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), 0o644))
	}
	dir = filepath.Join(dir, "dashboard")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	return abs
}

// browser is one headless Chromium with its own cookies.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func newBrowser(t *testing.T, base, dir string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.RequireOrSkip(t, "the dashboard test needs Chromium at "+chromiumPath+" (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP *.localhost 127.0.0.1"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base, dir: dir}
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")), "start Chromium")
	return b
}

// do runs actions, each step within a minute.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...))
}

// open navigates to path on the control host. A load that Chromium
// aborts with ERR_NETWORK_CHANGED is tried again: tests beside this one
// (the cluster's) add and remove network interfaces on the host, and
// Chromium drops loads in flight when they change.
func (b *browser) open(path string) {
	b.t.Helper()
	var err error
	for range 3 {
		ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
		err = chromedp.Do(ctx, chromedp.Navigate(b.base+path))
		cancel()
		if err == nil || !strings.Contains(err.Error(), "ERR_NETWORK_CHANGED") {
			break
		}
	}
	require.NoError(b.t, err)
}

// follow runs an action that navigates (a click, a submit) and waits for
// the new page; it returns the page's HTTP status.
func (b *browser) follow(a chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, a)
	require.NoError(b.t, err)
	return res.Status
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(b.t, err, js)
	return v
}

// waitJS polls a JavaScript condition until it holds.
func (b *browser) waitJS(d time.Duration, what, js string) {
	b.t.Helper()
	waitFor(b.t, d, what, func() bool { return eval[bool](b, js) })
}

func (b *browser) location() string { return eval[string](b, "location.pathname + location.search") }

func (b *browser) text(css string) string {
	return eval[string](b, fmt.Sprintf("(document.querySelector(%q) || {}).innerText || ''", css))
}

// shot saves a screenshot of the whole page.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644))
}

// signIn signs in with the dashboard's form.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.open("/")
	require.Equal(b.t, "/login", b.location(), "a stranger is sent to sign in")
	b.do(chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password))
	require.Equal(b.t, int64(http.StatusOK), b.follow(chromedp.Click(chromedp.CSS(`main form button[type=submit]`))))
	require.Equal(b.t, "/", b.location(), "signed in: %s", b.text("main"))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.follow(chromedp.Click(chromedp.CSS(`form.signout button`)))
	require.Equal(b.t, "/login?done=signed-out", b.location())
}

// TestDashboardInABrowser drives the dashboard of the real daemon with
// headless Chromium: sign in, an app and its live logs, a rollback behind
// its confirmation, app access, and a viewer who sees no rollback button
// and is refused by the API.
func TestDashboardInABrowser(t *testing.T) {
	s := startServer(t)
	s.addUser("admin@example.test", "admin", "admin password 1")
	s.addUser("viewer@example.test", "viewer", "viewer password 1")
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "app")
	writeFile(t, repo, "message.txt", "v2")
	commitAll(t, repo, "second")
	s.mustPush(repo, "app")
	require.Equal(t, "v2", s.body("app", "/"))

	dir := artifactDir(t)
	t.Logf("screenshots in %s", dir)
	b := newBrowser(t, s.controlURL(), dir)

	t.Run("sign in and see the app", func(t *testing.T) {
		b.open("/login")
		b.shot("01-sign-in")
		b.signIn("admin@example.test", "admin password 1")
		assert.Contains(t, b.text("main table"), "app")
		assert.Contains(t, b.text("main table"), "v2")
		b.shot("02-apps")
	})
	t.Run("the app's logs show a line it printed, live", func(t *testing.T) {
		b.open("/apps/app/logs")
		b.waitJS(15*time.Second, "the log WebSocket", `document.querySelector("[data-log-status]").innerText === "Live"`)
		s.body("app", "/print?n=1&msg=hello-from-the-browser-test")
		b.waitJS(15*time.Second, "the printed line in the log view",
			`[...document.querySelectorAll("[role=log] li")].some(li => li.innerText.includes("hello-from-the-browser-test 1"))`)
		b.shot("03-logs")
	})
	t.Run("roll back behind a confirmation", func(t *testing.T) {
		b.open("/apps/app")
		assert.Contains(t, b.text(".app-meta"), "v2 is live")
		b.shot("04-app")
		b.do(chromedp.Click(chromedp.CSS(`form[action="/apps/app/rollback"] button`)))
		b.waitJS(10*time.Second, "the confirmation dialog", `document.getElementById("confirm-dialog").open`)
		assert.Contains(t, b.text("#confirm-text"), "Roll back app to v1?")
		b.shot("05-rollback-confirm")
		require.Equal(t, int64(http.StatusOK), b.follow(chromedp.Click(chromedp.ID("confirm-ok"))))
		assert.Equal(t, "/apps/app?done=rolled-back", b.location())
		assert.Contains(t, b.text(".app-meta"), "v3 is live")
		assert.Contains(t, b.text("main table"), "admin@example.test", "the release says who rolled back")
		b.shot("06-rolled-back")
		waitFor(t, 30*time.Second, "the old release to answer", func() bool {
			code, body, err := s.get("app", "/")
			return err == nil && code == http.StatusOK && body == "v1"
		})
	})
	t.Run("the other pages", func(t *testing.T) {
		b.open("/apps/app/releases/2")
		assert.Contains(t, b.text("pre.output"), "Released v2", "the release's output")
		b.shot("07-release")
		for i, path := range []string{"/apps/app/metrics", "/apps/app/config", "/apps/app/domains", "/apps/app/scale", "/users", "/tokens", "/audit"} {
			b.open(path)
			assert.NotContains(t, b.text("main"), "Not found", path)
			b.shot(fmt.Sprintf("%02d-%s", 8+i, strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")))
		}
		assert.Contains(t, b.text("main table"), "rollback", "the audit log has the rollback")
	})
	t.Run("an admin gives the viewer access", func(t *testing.T) {
		b.open("/users")
		b.do(chromedp.SetValue(chromedp.ID("access-email"), "viewer@example.test"), chromedp.SetValue(chromedp.ID("access-app"), "app"))
		b.follow(chromedp.Click(chromedp.CSS(`form[action="/users/grant"] button:not([formaction])`)))
		assert.Contains(t, b.text("main"), "User changed.")
		b.signOut()
	})
	t.Run("a viewer sees no rollback button and the API refuses one", func(t *testing.T) {
		b.signIn("viewer@example.test", "viewer password 1")
		b.open("/apps/app")
		assert.Contains(t, b.text("main table"), "v1")
		assert.Equal(t, 0, eval[int](b, `document.querySelectorAll('form[action$="/rollback"]').length`))
		b.shot("15-viewer-app")
		status := eval[int](b, `fetch("/api/v1/apps/app/rollback", {method: "POST",
			headers: {"Content-Type": "application/json", "X-CSRF-Token": document.querySelector("input[name=csrf_token]").value},
			body: JSON.stringify({to: 1})}).then(r => r.status)`)
		assert.Equal(t, http.StatusForbidden, status)
		b.open("/apps/app/config")
		assert.Equal(t, 0, eval[int](b, `document.querySelectorAll("main form").length`), "no config forms")
		b.shot("16-viewer-config")
		rels := s.mustCLI("releases", "app")
		assert.Contains(t, rels, "v3", "nothing changed")
		assert.NotContains(t, rels, "v4")
	})
}
