package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageCheckJS measures the open page: whether it is wider than the
// viewport (and what sticks out), and every visible text or control whose
// contrast with what is behind it is below the bar (4.5:1, 3:1 for large
// text), and every focus ring below 3:1.
//
//go:embed testdata/pagecheck.js
var pageCheckJS string

// pageReport is what pageCheckJS returns.
type pageReport struct {
	ScrollWidth, Width int
	Widest             []string
	LowContrast        []string
	Focus              []string
}

// viewport is one screen size the dashboard must fit.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"phone", 390, 844, true}, {"laptop", 1366, 900, false}}

// setTheme makes the page prefer a light or a dark colour scheme.
func setTheme(theme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
		})
		return err
	})
}

// consoleErrors collects the console errors and exceptions of b's tab.
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleErrors) watch(b *browser) {
	msgs := chromedp.Console(b.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				c.mu.Lock()
				c.msgs = append(c.msgs, m.String()+" at "+m.URL)
				c.mu.Unlock()
			}
		}
	}()
}

// take returns the errors seen since the last call, but for the browser's
// note that the page itself answered with an error status (the 404 page is
// meant to answer 404): a failed script or stylesheet still counts.
func (c *consoleErrors) take(pageURL string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if !strings.HasSuffix(m, " at "+pageURL) || !strings.Contains(m, "Failed to load resource") {
			out = append(out, m)
		}
	}
	c.msgs = nil
	return out
}

// TestDashboardEveryPageEverySize opens every dashboard page as an admin
// and as a viewer, on a phone and a laptop, light and dark, and fails on a
// page wider than its viewport, a console error, or text, a control or a
// focus ring below the contrast bar. It keeps a screenshot of each.
func TestDashboardEveryPageEverySize(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser("admin@example.test", "admin", "admin password 1")
	s.addUser("viewer@example.test", "viewer", "viewer password 1")
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "shop-with-a-rather-long-name")
	s.mustCLI("apps", "create", "fresh")
	s.mustCLI("config", "set", "shop-with-a-rather-long-name", "A_LONG_SETTING_NAME_FOR_TESTS="+strings.Repeat("x", 300))
	// Marked keys: the config page shows their badges at every size.
	s.mustCLI("config", "set", "shop-with-a-rather-long-name", "--runtime-only", "--production-only", "A_LONG_SECRET_ONLY_AT_RUNTIME_AND_IN_PRODUCTION=x")
	s.mustCLI("config", "set", "shop-with-a-rather-long-name", "--previews", "A_LONG_SETTING_ONLY_FOR_PREVIEWS_OF_THE_APP=1")
	s.mustCLI("members", "add", "shop-with-a-rather-long-name", "viewer@example.test")

	dir := artifactDir(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "pages"), 0o755))
	t.Logf("screenshots in %s/pages", dir)
	b := newBrowser(t, s.controlURL(), dir)
	console := &consoleErrors{}
	console.watch(b)

	app := "/apps/shop-with-a-rather-long-name"
	common := []string{"/", app, app + "/releases/1", app + "/logs", app + "/metrics", app + "/config", app + "/domains",
		app + "/scale", app + "/alerts", "/apps/fresh", "/tokens", "/tokens?page=999", "/keys", "/insights", "/catalog",
		"/search?q=shop", "/no-such-page"}
	roles := []struct {
		email, password string
		pages           []string
	}{
		{"admin@example.test", "admin password 1", append(common, "/users", "/audit", "/audit?page=999", "/alerts", "/new-app")},
		{"viewer@example.test", "viewer password 1", common},
	}
	t.Run("the checks catch what they look for", func(t *testing.T) {
		b.open("/login")
		require.True(t, eval[bool](b, `(() => {
			const faint = document.createElement("p");
			faint.textContent = "faint text";
			faint.style.cssText = "color: #999; background: #aaa";
			const wide = document.createElement("div");
			wide.style.width = "3000px";
			wide.textContent = "wide";
			document.querySelector("main").append(faint, wide);
			const link = document.querySelector("a.brand");
			link.style.outlineColor = "#2a323b";
			return true;
		})()`))
		b.do(chromedp.KeyEvent(kb.Tab))
		r := eval[pageReport](b, pageCheckJS)
		assert.Greater(t, r.ScrollWidth, r.Width, "the wide block")
		assert.NotEmpty(t, r.Widest)
		assert.True(t, anyContains(r.LowContrast, "faint text"), "the faint text: %v", r.LowContrast)
		assert.True(t, anyContains(r.Focus, "Quayside"), "the dark focus ring: %v", r.Focus)
	})
	checked := 0
	for _, theme := range []string{"light", "dark"} {
		b.do(setTheme(theme))
		for _, vp := range viewports {
			b.do(chromedp.EmulateViewport(vp.width, vp.height, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
				p.Mobile = vp.mobile
			}))
			b.open("/login")
			checked += b.checkPage(t, console, fmt.Sprintf("signed-out-%s-%s-login", theme, vp.name))
			for _, role := range roles {
				b.signIn(role.email, role.password)
				who := strings.Split(role.email, "@")[0]
				for _, path := range role.pages {
					b.open(path)
					checked += b.checkPage(t, console, fmt.Sprintf("%s-%s-%s-%s", who, theme, vp.name, pageName(path)))
				}
				b.signOut()
			}
		}
	}
	t.Logf("checked %d page views", checked)

	t.Run("after a wrong password the focus is on the password", func(t *testing.T) {
		b.open("/login")
		b.do(chromedp.SendKeys(chromedp.ID("email"), "admin@example.test"), chromedp.SendKeys(chromedp.ID("password"), "wrong password!"))
		b.follow(chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
		b.waitJS(5*time.Second, "the focus on the password", `document.activeElement.id === "password"`)
		assert.Equal(t, "admin@example.test", eval[string](b, `document.getElementById("email").value`), "the e-mail is kept")
	})
	b.signIn("admin@example.test", "admin password 1")
	t.Run("releases show the commit subject and the person", func(t *testing.T) {
		b.open(app)
		assert.Contains(t, b.text("main table"), ": first", "the subject of the pushed commit")
		assert.Contains(t, b.text("main table"), "server owner", "a push with the server owner's key")
		assert.Contains(t, eval[[]string](b, `[...document.querySelectorAll("main table td span[title]")].map(s => s.title)`),
			"with the server owner's SSH key “tester”", "the key in the tooltip")
	})
	t.Run("the links carry the server's ports", func(t *testing.T) {
		_, httpPort, _ := net.SplitHostPort(s.httpAddr)
		_, sshPort, _ := net.SplitHostPort(s.sshAddr)
		b.open(app + "/domains")
		hrefs := eval[[]string](b, `[...document.querySelectorAll("main a[href^=http]")].map(a => a.href)`)
		assert.Contains(t, hrefs, "http://shop-with-a-rather-long-name.localhost:"+httpPort+"/", "the default host")
		b.open("/apps/fresh")
		assert.Contains(t, b.text("main"), "git remote add quayside ssh://git@localhost:"+sshPort+"/fresh.git")
		assert.Contains(t, b.text("main"), "git push http://quayside.localhost:"+httpPort+"/fresh.git main")
	})
	t.Run("the apps overview refreshes itself", func(t *testing.T) {
		b.open("/")
		require.True(t, eval[bool](b, "window.notReloaded = true"))
		s.mustCLI("apps", "create", "appears-by-itself")
		b.waitJS(30*time.Second, "the new app in the table", `!!document.querySelector('#apps-table a[href="/apps/appears-by-itself"]')`)
		assert.True(t, eval[bool](b, "window.notReloaded === true"), "without a reload")
		assert.Contains(t, b.text(`#apps-table`), "not deployed")
	})
	t.Run("a live release streams to its end and shows how it ended", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			_, err := s.cli("config", "set", "shop-with-a-rather-long-name", "BOOT_DELAY_MS=4000")
			done <- err
		}()
		path := app + "/releases/4"
		waitFor(t, 30*time.Second, "release v4 to be deploying", func() bool {
			b.open(path)
			return eval[string](b, `(document.getElementById("release-facts") || {dataset: {}}).dataset.releaseStatus || ""`) == "deploying"
		})
		require.True(t, eval[bool](b, "window.notReloaded = true"))
		b.waitJS(60*time.Second, "the badge to turn active", `document.getElementById("release-facts").dataset.releaseStatus === "active"`)
		assert.True(t, eval[bool](b, "window.notReloaded === true"), "without a reload")
		log := b.text("[role=log]")
		assert.Contains(t, log, "Released v4", "the release line")
		assert.NotContains(t, log, "Released v3", "only this release's lines")
		assert.Contains(t, log, "[config.changed]", "the platform's line that ends it")
		assert.Contains(t, b.text(".app-meta"), "v4 is live")
		assert.Contains(t, b.text("[data-log-status]"), "Finished: active")
		b.shotViewportWide("pages/admin-live-release-finished", 1366)
		require.NoError(t, <-done)
	})
}

// pageName makes a file name of a path.
func pageName(path string) string {
	if path == "/" {
		return "apps"
	}
	r := strings.NewReplacer("/", "-", "?", "-", "=", "-")
	return strings.Trim(r.Replace(path), "-")
}

// checkPage measures the open page, saves its screenshot as name, and
// reports what is wrong with it. It returns 1, for counting.
func (b *browser) checkPage(t *testing.T, console *consoleErrors, name string) int {
	t.Helper()
	b.waitJS(10*time.Second, "the page to load", `document.readyState === "complete"`)
	b.do(chromedp.KeyEvent(kb.Tab)) // keyboard use: focus rings show on focus
	r := eval[pageReport](b, pageCheckJS)
	assert.LessOrEqual(t, r.ScrollWidth, r.Width, "%s is wider than its viewport; what sticks out: %v", name, r.Widest)
	assert.Empty(t, r.LowContrast, "%s: text or controls below the contrast bar", name)
	assert.Empty(t, r.Focus, "%s: focus rings below 3:1", name)
	b.shotViewportWide(filepath.Join("pages", name), r.Width)
	assert.Empty(t, console.take(eval[string](b, "location.href")), "%s: console errors", name)
	return 1
}

// shotViewportWide saves a screenshot of the whole height of the page,
// as wide as the viewport (what a phone shows when scrolled down).
func (b *browser) shotViewportWide(name string, width int) {
	b.t.Helper()
	height := eval[float64](b, "document.documentElement.scrollHeight")
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptrTo(true),
			Clip: &page.Viewport{Width: float64(width), Height: height, Scale: 1},
		})
		return res.Data, err
	})
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644))
}

func ptrTo[T any](v T) *T { return &v }

// anyContains reports whether one of list contains sub.
func anyContains(list []string, sub string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, sub) })
}
