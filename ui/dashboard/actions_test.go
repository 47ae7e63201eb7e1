package dashboard_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
	"github.com/quayside/quayside/ui/dashboard"
	"github.com/quayside/quayside/ui/metrics"
)

// alertSender is a fake alert sender: it records the tests it sends and
// refuses webhooks to refused.example.
type alertSender struct {
	mu   sync.Mutex
	sent []string
}

func (s *alertSender) test(_ context.Context, app string, w engine.Webhook) (bool, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, app+" "+w.URL)
	if strings.Contains(w.URL, "down.example") {
		return false, "the receiver answered 502", nil
	}
	return true, "", nil
}

func (s *alertSender) check(w engine.Webhook) error {
	if strings.Contains(w.URL, "refused.example") {
		return engine.FieldError("url", "webhooks to private addresses are not allowed")
	}
	return nil
}

// startActions serves the rig's dashboard as the daemon wires it, with
// push URLs and an alert sender.
func startActions(r *rig) *alertSender {
	s := &alertSender{}
	d := dashboard.New(dashboard.Config{
		Engine: r.eng, Accounts: r.acc, Auth: auth.New(r.acc), Series: r.series, Version: "test",
		Logger:      slog.New(slog.NewTextHandler(r.logged, nil)),
		Links:       dashboard.Links{GitSSH: "ssh://git@example.test:2222/", Control: "https://quayside.example.test:8443"},
		TestWebhook: s.test, CheckWebhook: s.check,
	})
	r.srv.Close()
	r.srv = httptest.NewServer(d.Handler())
	r.t.Cleanup(r.srv.Close)
	return s
}

// audited reports whether the audit log holds action (by actor, when not
// "") with the given success.
func (r *rig) audited(action, actor string, success bool) bool {
	r.t.Helper()
	es, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{Actor: actor, Limit: 500})
	require.NoError(r.t, err)
	for _, e := range es {
		if e.Action == action && e.Success == success {
			return true
		}
	}
	return false
}

func appExists(r *rig, name string) bool {
	_, err := r.eng.FindApp(context.Background(), name)
	return err == nil
}

func TestCreateAppFromTheDashboard(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)

	t.Run("the overview offers it and the page asks for a name", func(t *testing.T) {
		assert.Contains(t, dev.get("/").body, `href="/new-app"`)
		p := dev.get("/new-app")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.postActions(), "/new-app")
	})
	t.Run("a created app shows how to push to it", func(t *testing.T) {
		p := dev.submit("/new-app", url.Values{"name": {"blog"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/blog?done=app-created", p.header.Get("Location"))
		p = dev.get("/apps/blog?done=app-created")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "App created")
		assert.Contains(t, p.body, "git remote add quayside ssh://git@example.test:2222/blog")
		assert.Contains(t, p.body, "git push quayside main")
		assert.Contains(t, p.body, "https://quayside.example.test:8443/blog.git")
		assert.True(t, r.audited(engine.AuditAppCreate, developer, true))
	})
	t.Run("bad and taken names are explained next to the field", func(t *testing.T) {
		for name, want := range map[string]string{
			"":         "App name is empty",
			"Big Shop": "is not valid: use lowercase letters",
			"shop":     "already exists",
			"-x":       "is not valid",
		} {
			p := dev.submit("/new-app", url.Values{"name": {name}})
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusConflict}, p.status, name)
			assert.Contains(t, p.body, want, name)
			assert.Contains(t, p.body, `id="app-name-error"`, name)
			assert.NotContains(t, p.body, "Internal", name)
		}
	})
	t.Run("a viewer sees no button and is refused, audited", func(t *testing.T) {
		vic := r.signIn(viewer)
		assert.NotContains(t, vic.get("/").body, `href="/new-app"`)
		assert.Equal(t, http.StatusForbidden, vic.get("/new-app").status)
		p := vic.submit("/new-app", url.Values{"name": {"sneaky"}})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.False(t, appExists(r, "sneaky"))
		assert.True(t, r.audited("denied."+string(engine.ActCreateApp), viewer, false))
	})
	t.Run("without the CSRF token nothing is created", func(t *testing.T) {
		p := dev.post("/new-app", url.Values{"name": {"forged"}})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.False(t, appExists(r, "forged"))
	})
}

func TestDestroyAppNeedsItsNameTyped(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	ada := r.signIn(admin)

	p := ada.get("/apps/shop")
	assert.Contains(t, p.postActions(), "/apps/shop/destroy")
	for _, typed := range []string{"", "Shop", "shop "} {
		p := ada.submit("/apps/shop/destroy", url.Values{"confirm_name": {typed}})
		assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, p.status)
		assert.Contains(t, p.body, "Type <strong>shop</strong> to confirm", "asks for the name")
		assert.True(t, appExists(r, "shop"), "typed %q", typed)
	}
	assert.Contains(t, ada.submit("/apps/shop/destroy", url.Values{"confirm_name": {"shp"}}).body, "type shop exactly")

	t.Run("developers see no destroy form and are refused", func(t *testing.T) {
		dev := r.signIn(developer)
		assert.NotContains(t, dev.get("/apps/shop").postActions(), "/apps/shop/destroy")
		p := dev.submit("/apps/shop/destroy", url.Values{"confirm_name": {"shop"}})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.True(t, appExists(r, "shop"))
		assert.True(t, r.audited("denied."+string(engine.ActDestroyApp), developer, false))
	})
	p = ada.submit("/apps/shop/destroy", url.Values{"confirm_name": {"shop"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, "/?done=app-destroyed", p.header.Get("Location"))
	assert.False(t, appExists(r, "shop"))
	assert.True(t, r.audited(engine.AuditAppDestroy, admin, true))
}

func TestRedeployRestartAndMaintenance(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)

	p := dev.get("/apps/shop")
	for _, a := range []string{"/apps/shop/redeploy", "/apps/shop/restart", "/apps/shop/maintenance"} {
		assert.Contains(t, p.postActions(), a)
	}
	t.Run("redeploy asks, then makes a release of the same image", func(t *testing.T) {
		p := dev.submit("/apps/shop/redeploy", url.Values{})
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "Redeploy shop v1?")
		assert.Equal(t, 1, r.current("shop"))
		p = dev.submit("/apps/shop/redeploy", url.Values{"confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, 2, r.current("shop"))
		assert.Contains(t, dev.get("/apps/shop?done=redeployed").body, "Redeploy of v1")
		assert.True(t, r.audited(engine.AuditRedeploy, developer, true))
	})
	t.Run("restart replaces the type's containers, no release", func(t *testing.T) {
		p := dev.submit("/apps/shop/restart", url.Values{"process": {"web"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, 2, r.current("shop"))
		assert.True(t, r.audited(engine.AuditRestart, developer, true))
		p = dev.submit("/apps/shop/restart", url.Values{"process": {"nope"}, "confirm": {"yes"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `has no process type`)
	})
	t.Run("maintenance goes on once confirmed, and off", func(t *testing.T) {
		p := dev.submit("/apps/shop/maintenance", url.Values{"on": {"true"}})
		assert.Contains(t, p.body, "Put shop in maintenance?")
		p = dev.submit("/apps/shop/maintenance", url.Values{"on": {"true"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		a, _ := r.eng.FindApp(context.Background(), "shop")
		assert.True(t, a.Edge.Maintenance)
		assert.Contains(t, dev.get("/apps/shop").body, "Turn maintenance off")
		p = dev.submit("/apps/shop/maintenance", url.Values{"on": {"false"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		a, _ = r.eng.FindApp(context.Background(), "shop")
		assert.False(t, a.Edge.Maintenance)
		assert.True(t, r.audited(engine.AuditEdge, developer, true))
	})
	t.Run("viewers see none of it and are refused", func(t *testing.T) {
		vic := r.signIn(viewer)
		assert.Empty(t, vic.get("/apps/shop").postActions()[1:])
		for path, form := range map[string]url.Values{
			"/apps/shop/redeploy":    {"confirm": {"yes"}},
			"/apps/shop/restart":     {"process": {"web"}, "confirm": {"yes"}},
			"/apps/shop/maintenance": {"on": {"true"}, "confirm": {"yes"}},
		} {
			assert.Equal(t, http.StatusForbidden, vic.submit(path, form).status, path)
			assert.Equal(t, http.StatusForbidden, vic.post(path, form).status, path+" without token")
		}
		assert.Equal(t, 2, r.current("shop"))
		a, _ := r.eng.FindApp(context.Background(), "shop")
		assert.False(t, a.Edge.Maintenance)
		assert.True(t, r.audited("denied."+string(engine.ActDeploy), viewer, false))
	})
}

// publicKey returns a new ed25519 public key in authorized_keys format.
func publicKey(t *testing.T, comment string) (string, string) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	k, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment, ssh.FingerprintSHA256(k)
}

func TestSSHKeys(t *testing.T) {
	r := newRig(t)
	startActions(r)
	dev := r.signIn(developer)
	line, fp := publicKey(t, "dev@laptop")

	p := dev.submit("/keys", url.Values{"public_key": {line}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = dev.get("/keys?done=key-added")
	assert.Contains(t, text(p.doc), fp)
	assert.Contains(t, p.body, "dev@laptop", "named after its comment")
	assert.True(t, r.audited(engine.AuditKeyAdd, developer, true))

	t.Run("the CLI's rules apply", func(t *testing.T) {
		other, _ := publicKey(t, "")
		for what, tc := range map[string]struct{ name, key, want string }{
			"a private key":  {"x", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "This is a private key"},
			"not a key":      {"x", "hello", "Not an SSH public key"},
			"two keys":       {"x", line + "\n" + other, "xactly one public key"},
			"the same key":   {"again", line, ""},
			"a taken name":   {"dev@laptop", other, ""},
			"a bad name":     {"a b", other, "is not valid"},
			"no name at all": {"", other, "is not valid"},
		} {
			p := dev.submit("/keys", url.Values{"name": {tc.name}, "public_key": {tc.key}})
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusConflict}, p.status, what)
			assert.Contains(t, p.body, tc.want, what)
			assert.NotContains(t, p.body, "b3Blbn", "%s: a private key is never shown back", what)
			assert.NotContains(t, p.body, "Something went wrong", what)
		}
	})
	t.Run("one removes one's own keys only", func(t *testing.T) {
		vtext, _ := publicKey(t, "vic")
		vic := r.signIn(viewer)
		require.Equal(t, http.StatusSeeOther, vic.submit("/keys", url.Values{"public_key": {vtext}}).status, "viewers have keys too")
		assert.NotContains(t, text(vic.get("/keys").doc), fp, "another's key is not listed")
		p := vic.submit("/keys/remove", url.Values{"name": {"dev@laptop"}, "confirm": {"yes"}})
		assert.Equal(t, http.StatusNotFound, p.status)
		p = dev.submit("/keys/remove", url.Values{"name": {"dev@laptop"}})
		assert.Contains(t, p.body, "Remove the SSH key dev@laptop?")
		p = dev.submit("/keys/remove", url.Values{"name": {"dev@laptop"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.NotContains(t, text(dev.get("/keys").doc), fp)
		assert.True(t, r.audited(engine.AuditKeyRemove, developer, true))
		assert.Contains(t, r.signIn(admin).get("/keys").body, "vic", "admins see everyone's")
	})
	t.Run("a forged post adds nothing", func(t *testing.T) {
		k, fp := publicKey(t, "forged")
		assert.Equal(t, http.StatusForbidden, dev.post("/keys", url.Values{"public_key": {k}}).status)
		assert.NotContains(t, text(r.signIn(admin).get("/keys").doc), fp)
	})
}

func TestPasteEnvShowsTheChangeFirst(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"KEEP": "k", "OLD": "o-value-1"}})
	require.NoError(t, err)
	dev := r.signIn(developer)
	before := r.current("shop")
	block := "# from .env\nexport NEW_ONE=\"secret-new\\nline\"\nOLD=o-value-2 # inline comment\n\nKEEP='k'\n"

	p := dev.submit("/apps/shop/config/env", url.Values{"env": {block}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Contains(t, p.body, "+ NEW_ONE")
	assert.Contains(t, p.body, "~ OLD")
	assert.NotContains(t, p.body, "+ KEEP")
	assert.Contains(t, p.body, "1 pasted variable already had that value")
	assert.NotContains(t, strings.ReplaceAll(p.body, "<textarea", ""), "o-value-1", "the old value is never shown")
	assert.Equal(t, before, r.current("shop"), "nothing saved yet")

	p = dev.submit("/apps/shop/config/env", url.Values{"env": {block}, "confirm": {"yes"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, before+1, r.current("shop"), "one release for the whole block")
	cv, err := r.eng.Config(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"NEW_ONE": "secret-new\nline", "OLD": "o-value-2", "KEEP": "k"}, cv.Vars)

	t.Run("bad blocks name the line", func(t *testing.T) {
		for block, want := range map[string]string{
			"A=1\nnot a pair":  "Line 2:",
			"1BAD=x":           "Line 1:",
			"A=\"open":         "not closed",
			"# only a comment": "No variables found",
			"KEEP=k":           "Nothing changes",
		} {
			p := dev.submit("/apps/shop/config/env", url.Values{"env": {block}, "confirm": {"yes"}})
			assert.Equal(t, http.StatusBadRequest, p.status, block)
			assert.Contains(t, p.body, want, block)
			assert.Contains(t, p.body, `id="act-env-error"`, block)
		}
		assert.Equal(t, before+1, r.current("shop"))
	})
	t.Run("viewers cannot paste", func(t *testing.T) {
		vic := r.signIn(viewer)
		assert.NotContains(t, vic.get("/apps/shop/config").postActions(), "/apps/shop/config/env")
		assert.Equal(t, http.StatusForbidden, vic.submit("/apps/shop/config/env", url.Values{"env": {"X=1"}, "confirm": {"yes"}}).status)
	})
	t.Run("revealing a value is audited", func(t *testing.T) {
		assert.False(t, r.audited(string(engine.ActRevealConfig), developer, true))
		p := dev.get("/apps/shop/config?key=OLD")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "o-value-2")
		es, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{Actor: developer, Limit: 100})
		require.NoError(t, err)
		found := false
		for _, e := range es {
			found = found || (e.Action == string(engine.ActRevealConfig) && e.App == "shop" && e.Target == "OLD")
		}
		assert.True(t, found, "who revealed which value is in the audit log")
	})
}

func TestRollbackSaysWhatConfigComesBack(t *testing.T) {
	r := newRig(t)
	startActions(r)
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1", "GONE": "x"}})
	require.Error(t, err, "no app yet")
	r.deploy("shop", "c1")
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1", "GONE": "x"}})
	require.NoError(t, err) // v2
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"NEW": "n", "A": "2"}, Unset: []string{"GONE"}})
	require.NoError(t, err) // v3
	dev := r.signIn(developer)

	p := dev.get("/apps/shop")
	assert.Contains(t, p.body, "Config: brings back GONE; drops NEW; restores the earlier value of A.", "to v2")
	assert.Contains(t, p.body, "Config: drops A, NEW.", "to v1")
	assert.Contains(t, text(p.doc), "Rolling back here: Config: brings back GONE", "the releases list says it too")
	p = dev.submit("/apps/shop/rollback", url.Values{"to": {"2"}})
	assert.Contains(t, p.body, "brings back GONE; drops NEW")
	assert.NotContains(t, p.body, "value of A: 1")
}

func TestAlertsFromTheDashboard(t *testing.T) {
	r := newRig(t)
	sender := startActions(r)
	r.deploy("shop", "c1")
	dev := r.signIn(developer)
	hook := "https://hooks.example.com/services/T0/B0/secret-path"

	p := dev.submit("/apps/shop/alerts/add", url.Values{"url": {hook}, "format": {"slack"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = dev.get("/apps/shop/alerts")
	assert.Contains(t, p.body, "secret-path")
	hooks, err := r.eng.Webhooks(context.Background(), "shop")
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, engine.WebhookSlack, hooks[0].Format)

	t.Run("bad and refused URLs are explained", func(t *testing.T) {
		for u, want := range map[string]string{
			"ftp://x":                        "must be an http:// or https:// URL",
			"https://u:p@hooks.example.com/": "Put no user name or password",
			"https://refused.example/x":      "private addresses are not allowed",
			hook:                             "already in the list",
		} {
			p := dev.submit("/apps/shop/alerts/add", url.Values{"url": {u}, "format": {"json"}})
			assert.Equal(t, http.StatusBadRequest, p.status, u)
			assert.Contains(t, p.body, want, u)
		}
	})
	t.Run("a test says whether it was delivered", func(t *testing.T) {
		p := dev.submit("/apps/shop/alerts/test", url.Values{"url": {hook}})
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, "was delivered")
		assert.Contains(t, sender.sent, "shop "+hook)
		p = dev.submit("/apps/shop/alerts/test", url.Values{"url": {"https://elsewhere.example/"}})
		assert.Equal(t, http.StatusNotFound, p.status, "only stored webhooks are tested")
	})
	t.Run("viewers see the host only and no controls", func(t *testing.T) {
		vic := r.signIn(viewer)
		p := vic.get("/apps/shop/alerts")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "hooks.example.com")
		assert.NotContains(t, p.body, "secret-path")
		assert.Empty(t, p.postActions()[1:])
		for _, a := range []string{"add", "remove", "test"} {
			assert.Equal(t, http.StatusForbidden, vic.submit("/apps/shop/alerts/"+a, url.Values{"url": {hook}, "confirm": {"yes"}}).status, a)
		}
		assert.Equal(t, http.StatusForbidden, dev.get("/alerts").status, "the server's webhooks are for admins")
		assert.Equal(t, http.StatusForbidden, dev.submit("/alerts/add", url.Values{"url": {hook}}).status)
	})
	t.Run("remove asks, then removes", func(t *testing.T) {
		p := dev.submit("/apps/shop/alerts/remove", url.Values{"url": {hook}})
		assert.Contains(t, p.body, "Remove the webhook to hooks.example.com?")
		p = dev.submit("/apps/shop/alerts/remove", url.Values{"url": {hook}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		hooks, err := r.eng.Webhooks(context.Background(), "shop")
		require.NoError(t, err)
		assert.Empty(t, hooks)
		assert.True(t, r.audited("webhooks.set", developer, true))
	})
	t.Run("admins manage the server's", func(t *testing.T) {
		ada := r.signIn(admin)
		require.Equal(t, http.StatusSeeOther, ada.submit("/alerts/add", url.Values{"url": {hook}, "format": {"json"}}).status)
		assert.Contains(t, ada.get("/alerts").body, "secret-path")
		assert.Contains(t, ada.submit("/alerts/test", url.Values{"url": {hook}}).body, "was delivered")
		assert.Contains(t, sender.sent, " "+hook)
	})
}

func TestSearch(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1abcdef")
	r.deploy("shop", "c2abcdef")
	r.deploy("shopfront", "d1")
	dev := r.signIn(developer)

	for q, want := range map[string]string{
		"shop":         "/apps/shop",
		"  shop  ":     "/apps/shop",
		"shop v2":      "/apps/shop/releases/2",
		"shop 1":       "/apps/shop/releases/1",
		"shop logs":    "/apps/shop/logs",
		"shop config":  "/apps/shop/config",
		"shop alerts":  "/apps/shop/alerts",
		"shopfront v1": "/apps/shopfront/releases/1",
	} {
		p := dev.get("/search?q=" + url.QueryEscape(q))
		assert.Equal(t, http.StatusSeeOther, p.status, q)
		assert.Equal(t, want, p.header.Get("Location"), q)
	}
	p := dev.get("/search?q=sho")
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, `href="/apps/shop"`)
	assert.Contains(t, p.body, `href="/apps/shopfront"`)
	assert.Contains(t, dev.get("/search?q=keys").body, `href="/keys"`)
	assert.Contains(t, dev.get("/search?q=c2ab").body, `href="/apps/shop/releases/2"`)
	p = dev.get("/search?q=shop+v99")
	assert.Equal(t, http.StatusOK, p.status, "no such release: a list, not a jump")
	assert.NotContains(t, p.body, "releases/99")
	assert.NotContains(t, dev.get("/search?q=audit").body, `href="/audit"`, "pages one may not open are not offered")
	assert.Contains(t, dev.get("/search?q="+strings.Repeat("x", 5000)).body, "Nothing matches", "a long query is cut, not a failure")

	out := r.signIn(outsider)
	p = out.get("/search?q=shop")
	assert.Equal(t, http.StatusOK, p.status, "an app one may not see is not found")
	assert.NotContains(t, p.body, `href="/apps/shop"`)
	assert.NotContains(t, out.get("/search?q=c2ab").body, "releases/2")
}

func TestMetricsPageMarksDeploysOnEveryChart(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	r.deploy("shop", "c2")
	now := time.Now()
	r.series.set("shop", []metrics.Point{
		{Time: now.Add(-40 * time.Minute), Requests: 4, CPUPercent: 10, MemoryBytes: 64 << 20},
		{Time: now.Add(-20 * time.Minute), Requests: 9, CPUPercent: 30, MemoryBytes: 80 << 20},
		{Time: now.Add(time.Minute), Requests: 2, CPUPercent: 20, MemoryBytes: 70 << 20},
	})
	p := r.signIn(viewer).get("/apps/shop/metrics")
	require.Equal(t, http.StatusOK, p.status)
	marks := 0
	for _, g := range findAll(p.doc, "rect") {
		if attr(g, "class") == "mark m-deploy" {
			marks++
		}
	}
	assert.Equal(t, 2*5, marks, "both deploys on each of the five charts")
	assert.Contains(t, p.body, "v2 (Deploy c2) is live")
	assert.Contains(t, p.body, "Peak requests/s: 9.00 at ")
	assert.Contains(t, p.body, `<rect class="band"`)
	assert.Less(t, len(p.body), 100_000, "the page stays small")
}

func TestAWeekOfMetricsStaysASmallPage(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	now := time.Now()
	var pts []metrics.Point
	for i := range 2016 {
		pts = append(pts, metrics.Point{Time: now.Add(time.Duration(i-2015) * 5 * time.Minute), Requests: float64(i % 17), LatencyP50: 0.01, LatencyP95: 0.2,
			CPUPercent: float64(i % 90), MemoryBytes: float64(i%50) * (1 << 20)})
	}
	r.series.set("shop", pts)
	ctx := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	for i := range 40 {
		_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"N": strconv.Itoa(i)}})
		require.NoError(t, err)
	}
	p := r.signIn(developer).get("/apps/shop/metrics?span=7d")
	require.Equal(t, http.StatusOK, p.status)
	assert.Less(t, len(p.body), 100_000, "a week of points, 41 deploys: %d bytes", len(p.body))
	t.Logf("metrics page for 7d: %d bytes", len(p.body))
}

func TestForgedActionsAreRefused(t *testing.T) {
	r := newRig(t)
	startActions(r)
	r.deploy("shop", "c1")
	ada := r.signIn(admin)
	for _, path := range []string{
		"/new-app", "/apps/shop/destroy", "/apps/shop/redeploy", "/apps/shop/restart", "/apps/shop/maintenance",
		"/apps/shop/config/env", "/apps/shop/alerts/add", "/alerts/add", "/keys", "/keys/remove",
	} {
		form := url.Values{"name": {"x"}, "confirm_name": {"shop"}, "confirm": {"yes"}, "process": {"web"}, "on": {"true"},
			"env": {"A=1"}, "url": {"https://hooks.example.com/x"}}
		assert.Equal(t, http.StatusForbidden, ada.post(path, form).status, "%s without the CSRF token", path)
		ada.header.Set("Origin", "https://evil.example")
		form.Set("csrf_token", ada.csrf())
		assert.Equal(t, http.StatusForbidden, ada.post(path, form).status, "%s from another site", path)
		ada.header = http.Header{}
	}
	assert.True(t, appExists(r, "shop"))
	assert.False(t, appExists(r, "x"))
	assert.Equal(t, 1, r.current("shop"))
	a, _ := r.eng.FindApp(context.Background(), "shop")
	assert.False(t, a.Edge.Maintenance)

	t.Run("an app one may not see answers 404 to every action", func(t *testing.T) {
		out := r.signIn(outsider)
		for _, path := range []string{"/apps/shop/redeploy", "/apps/shop/restart", "/apps/shop/maintenance", "/apps/shop/config/env", "/apps/shop/alerts/add", "/apps/shop/destroy"} {
			p := out.submit(path, url.Values{"confirm": {"yes"}, "process": {"web"}, "on": {"true"}, "env": {"A=1"}, "url": {"https://hooks.example.com/x"}})
			assert.Equal(t, http.StatusNotFound, p.status, path)
		}
		assert.Equal(t, http.StatusNotFound, out.get("/apps/shop/alerts").status)
	})
	t.Run("what one types is shown back as text", func(t *testing.T) {
		p := ada.get("/search?q=" + url.QueryEscape(`<script>alert(1)</script>`))
		assert.NotContains(t, p.body, "<script>alert(1)")
		p = ada.submit("/new-app", url.Values{"name": {`"><img src=x onerror=alert(1)>`}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.NotContains(t, p.body, "<img src=x")
	})
}
