package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// confirmDialog clicks the submit button of the form at css, checks the
// confirmation dialog's question and confirms; it returns the status of
// the page the form leads to.
func (b *browser) confirmDialog(css, question string) int64 {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(css + ` button[type=submit]`)))
	b.waitJS(10*time.Second, "the confirmation dialog", `document.getElementById("confirm-dialog").open`)
	assert.Contains(b.t, b.text("#confirm-text"), question)
	return b.follow(chromedp.Click(chromedp.ID("confirm-ok")))
}

// submit clicks the submit button of the form at css and waits for the
// page it leads to.
func (b *browser) submit(css string) int64 {
	b.t.Helper()
	return b.follow(chromedp.Click(chromedp.CSS(css + ` button[type=submit]`)))
}

// TestDashboardActionsInABrowser clicks through each action of the
// dashboard once, as an admin, against the real daemon: a new app and its
// push instructions, redeploy, restart, maintenance, a pasted .env block
// and the rollback dialog's config summary, SSH keys, alerts, a token's
// copy button, search, the charts' markers, and destroying an app.
func TestDashboardActionsInABrowser(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--allow-webhook-to", "127.0.0.0/8") // the alert receiver is on loopback
	s.addUser("admin@example.test", "admin", "admin password 1")
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "app")
	var alerts atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		alerts.Add(1)
	}))
	t.Cleanup(receiver.Close)

	dir := artifactDir(t)
	b := newBrowser(t, s.controlURL(), dir)
	b.signIn("admin@example.test", "admin password 1")

	t.Run("create an app and see how to push to it", func(t *testing.T) {
		b.open("/")
		b.follow(chromedp.Click(chromedp.CSS(`a[href="/new-app"]`)))
		b.do(chromedp.SetValue(chromedp.ID("app-name"), "Bad Name"))
		assert.Equal(t, int64(http.StatusBadRequest), b.submit(`form[action="/new-app"]`))
		assert.Contains(t, b.text("#app-name-error"), "is not valid")
		b.do(chromedp.SetValue(chromedp.ID("app-name"), "made"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/new-app"]`))
		assert.Equal(t, "/apps/made?done=app-created", b.location())
		push := b.text(".act-push pre")
		assert.Contains(t, push, "git remote add quayside ssh://git@")
		assert.Contains(t, push, "/made")
		assert.NotContains(t, push, "<server>")
		b.shot("a01-app-created")
	})
	t.Run("redeploy, restart and maintenance from the app page", func(t *testing.T) {
		b.open("/apps/app")
		require.Equal(t, int64(http.StatusOK), b.confirmDialog(`form[action="/apps/app/redeploy"]`, "Redeploy app v1?"))
		assert.Contains(t, b.text(".app-meta"), "v2 is live")
		assert.Contains(t, b.text("main table"), "Redeploy of v1")
		require.Equal(t, int64(http.StatusOK), b.confirmDialog(`form[action="/apps/app/restart"]`, "Restart"))
		assert.Contains(t, b.text(".flash"), "Restarted")
		assert.Equal(t, "v1", s.body("app", "/"))
		require.Equal(t, int64(http.StatusOK), b.confirmDialog(`form[action="/apps/app/maintenance"]`, "Put app in maintenance?"))
		waitFor(t, 10*time.Second, "the maintenance page", func() bool {
			code, _, err := s.get("app", "/")
			return err == nil && code == http.StatusServiceUnavailable
		})
		b.shot("a02-maintenance")
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/apps/app/maintenance"]`))
		assert.Contains(t, b.text(".flash"), "Maintenance is off")
		waitFor(t, 10*time.Second, "the app again", func() bool {
			code, _, err := s.get("app", "/")
			return err == nil && code == http.StatusOK
		})
	})
	t.Run("paste a .env block, review, save; the rollback dialog names what it drops", func(t *testing.T) {
		b.open("/apps/app/config")
		b.do(chromedp.SetValue(chromedp.ID("act-env"), "# pasted\nGREETING=hello\nexport PLAN=\"pro\"\n"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/apps/app/config/env"]`))
		diff := b.text("main")
		assert.Contains(t, diff, "+ GREETING")
		assert.Contains(t, diff, "+ PLAN")
		assert.NotContains(t, diff, "hello", "values stay hidden")
		b.shot("a03-env-diff")
		require.Equal(t, int64(http.StatusOK), b.submit(`main form[action="/apps/app/config/env"]`))
		assert.Contains(t, b.text(".flash"), "Config saved from the pasted block")
		assert.Contains(t, b.text(".app-meta"), "v3 is live", "one release for the block")
		b.open("/apps/app/config?key=PLAN")
		assert.Contains(t, b.text("main table"), "pro")
		assert.Contains(t, s.mustCLI("audit"), "config.reveal", "revealing is audited")

		b.open("/apps/app")
		b.do(chromedp.Click(chromedp.CSS(`form[action="/apps/app/rollback"] button`)))
		b.waitJS(10*time.Second, "the rollback dialog", `document.getElementById("confirm-dialog").open`)
		assert.Contains(t, b.text("#confirm-text"), "drops GREETING, PLAN")
		b.shot("a04-rollback-config")
		b.do(chromedp.Click(chromedp.CSS(`#confirm-dialog button[value=cancel]`)))
	})
	t.Run("add and remove an SSH key", func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		k, err := ssh.NewPublicKey(pub)
		require.NoError(t, err)
		b.open("/keys")
		b.do(chromedp.SetValue(chromedp.ID("key-text"), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))+" browser@test"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/keys"]`))
		assert.Contains(t, b.text("main table"), ssh.FingerprintSHA256(k))
		b.shot("a05-keys")
		require.Equal(t, int64(http.StatusOK), b.confirmDialog(`form[action="/keys/remove"]:has(input[value="browser@test"])`, "Remove the SSH key"))
		assert.NotContains(t, b.text("main"), ssh.FingerprintSHA256(k))
	})
	t.Run("add, test and remove a webhook", func(t *testing.T) {
		b.open("/apps/app/alerts")
		b.do(chromedp.SetValue(chromedp.ID("alert-url"), receiver.URL+"/hook"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/apps/app/alerts/add"]`))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/apps/app/alerts/test"]`))
		assert.Contains(t, b.text("main"), "was delivered")
		assert.Positive(t, alerts.Load())
		b.shot("a06-alerts")
		require.Equal(t, int64(http.StatusOK), b.confirmDialog(`form[action="/apps/app/alerts/remove"]`, "Remove the webhook"))
		assert.Contains(t, b.text("main"), "No webhooks yet")
	})
	t.Run("a new token has a copy button", func(t *testing.T) {
		b.open("/tokens")
		b.do(chromedp.SetValue(chromedp.ID("token-name"), "ci"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/tokens"]`))
		b.do(chromedp.Click(chromedp.CSS(`.secret button.act-copy`)))
		b.waitJS(5*time.Second, "the copy button's answer", `document.querySelector(".act-copy-status").innerText !== ""`)
		b.shot("a07-token-copy")
	})
	t.Run("search jumps to a release", func(t *testing.T) {
		b.open("/")
		b.do(chromedp.SetValue(chromedp.ID("act-q"), "app v2"))
		require.Equal(t, int64(http.StatusOK), b.follow(chromedp.Submit(chromedp.ID("act-q"))))
		assert.Equal(t, "/apps/app/releases/2", b.location())
	})
	t.Run("charts mark the deploys", func(t *testing.T) {
		waitFor(t, time.Minute, "charts with deploy markers", func() bool {
			s.body("app", "/")
			b.open("/apps/app/metrics")
			return eval[int](b, `document.querySelectorAll("svg rect.m-deploy").length`) > 0
		})
		titles := eval[string](b, `[...document.querySelectorAll("svg rect.m-deploy title")].map(t => t.textContent).join("\n")`)
		assert.Contains(t, titles, "v1 (Deploy ")
		assert.Contains(t, titles, "v3 is live", "the config release too")
		b.shot("a08-metrics")
	})
	t.Run("destroy an app by typing its name", func(t *testing.T) {
		b.open("/apps/made")
		b.do(chromedp.SetValue(chromedp.ID("act-confirm-name"), "made"))
		require.Equal(t, int64(http.StatusOK), b.submit(`form[action="/apps/made/destroy"]`))
		assert.Equal(t, "/?done=app-destroyed", b.location())
		assert.NotContains(t, b.text("main table"), "made")
	})
}

// TestScaleShowsTheProcfileCommand builds a Procfile app with buildpacks
// and checks that the Scale page shows each type's command from the
// Procfile, not the launcher (/cnb/process/web) that runs it.
func TestScaleShowsTheProcfileCommand(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser("admin@example.test", "admin", "admin password 1")
	s.mustPush(appRepo(t, "procfile"), "pf")
	b := newBrowser(t, s.controlURL(), artifactDir(t))
	b.signIn("admin@example.test", "admin password 1")
	b.open("/apps/pf/scale")
	table := b.text("main table")
	assert.Contains(t, table, `node -e "require('http')`)
	assert.Contains(t, table, "while true; do echo")
	assert.NotContains(t, table, "/cnb/process")
	b.shot("a09-scale-procfile")
}
