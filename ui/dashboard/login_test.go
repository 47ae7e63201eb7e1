package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSignInAndOut(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	b := r.browser()

	t.Run("pages send strangers to sign in, and back afterwards", func(t *testing.T) {
		p := b.get("/apps/shop/logs?process=web")
		assert.Equal(t, http.StatusSeeOther, p.status)
		assert.Equal(t, "/login?next="+url.QueryEscape("/apps/shop/logs?process=web"), p.header.Get("Location"))
		p = b.get("/login?next=" + url.QueryEscape("/apps/shop"))
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `name="next" value="/apps/shop"`)
	})
	t.Run("a wrong password says so and keeps the e-mail, not the password", func(t *testing.T) {
		p := b.post("/login", url.Values{"email": {developer}, "password": {"not my password"}})
		assert.Equal(t, http.StatusUnauthorized, p.status)
		assert.Contains(t, p.body, "Wrong e-mail or password.")
		assert.Contains(t, p.body, `value="`+developer+`"`)
		assert.NotContains(t, p.body, "not my password")
		assert.Empty(t, b.cookie())
		for _, in := range findAll(p.doc, "input") {
			assert.Equal(t, attr(in, "id") == "password", hasAttr(in, "autofocus"), "only the password has the focus: %s", attr(in, "id"))
		}
	})
	t.Run("empty fields are marked next to the field", func(t *testing.T) {
		p := b.post("/login", url.Values{"email": {""}, "password": {""}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `aria-invalid="true" aria-describedby="email-error"`)
		assert.Contains(t, p.body, `id="password-error">Enter your password.`)
	})
	var secret string
	t.Run("the right password signs in and goes where the user was going", func(t *testing.T) {
		p := b.post("/login", url.Values{"email": {developer}, "password": {password(developer)}, "next": {"/apps/shop"}})
		assert.Equal(t, http.StatusSeeOther, p.status)
		assert.Equal(t, "/apps/shop", p.header.Get("Location"))
		secret = b.cookie()
		require.NotEmpty(t, secret)
		setCookie := p.header.Get("Set-Cookie")
		assert.Contains(t, setCookie, "HttpOnly")
		assert.Contains(t, setCookie, "SameSite=Lax")
		p = b.get("/")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `href="/apps/shop"`)
		assert.Contains(t, p.body, developer)
	})
	t.Run("sign-in never sends anyone to another site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/ok\r\nX: y"} {
			p := r.browser().post("/login", url.Values{"email": {viewer}, "password": {password(viewer)}, "next": {next}})
			require.Equal(t, http.StatusSeeOther, p.status)
			assert.Equal(t, "/", p.header.Get("Location"), next)
		}
	})
	t.Run("signing out needs the CSRF token", func(t *testing.T) {
		p := b.post("/logout", url.Values{})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Equal(t, http.StatusOK, b.get("/").status, "still signed in")
	})
	t.Run("signing out ends the session for good", func(t *testing.T) {
		p := b.submit("/logout", url.Values{})
		assert.Equal(t, http.StatusSeeOther, p.status)
		assert.Equal(t, "/login?done=signed-out", p.header.Get("Location"))
		assert.Empty(t, b.cookie())
		assert.Contains(t, b.get("/login?done=signed-out").body, "You have signed out.")
		replay := r.browser()
		replay.setCookie(secret)
		assert.Equal(t, http.StatusSeeOther, replay.get("/").status, "the old cookie no longer works")
	})
	t.Run("a disabled account is told so", func(t *testing.T) {
		require.NoError(t, r.acc.DisableUser(context.Background(), outsider))
		p := r.browser().post("/login", url.Values{"email": {outsider}, "password": {password(outsider)}})
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Contains(t, p.body, "Your account is disabled")
	})
	t.Run("sign-ins are in the audit log", func(t *testing.T) {
		es, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{Actor: developer, Limit: 50})
		require.NoError(t, err)
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
		}
		assert.Contains(t, actions, engine.AuditSignIn)
		assert.Contains(t, actions, engine.AuditSignInFailed)
		assert.Contains(t, actions, engine.AuditSignOut)
	})
}

func TestSessionFixation(t *testing.T) {
	r := newRig(t)
	t.Run("a planted cookie is replaced at sign-in", func(t *testing.T) {
		b := r.browser()
		planted := "attacker-chosen-session-id"
		b.setCookie(planted)
		assert.Equal(t, http.StatusOK, b.get("/login").status)
		p := b.post("/login", url.Values{"email": {developer}, "password": {password(developer)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		assert.NotEqual(t, planted, b.cookie())
		assert.NotEmpty(t, b.cookie())
	})
	t.Run("signing in again makes a new session and ends the old one", func(t *testing.T) {
		b := r.signIn(developer)
		before := b.cookie()
		p := b.post("/login", url.Values{"email": {developer}, "password": {password(developer)}})
		assert.Equal(t, http.StatusForbidden, p.status, "a signed-in browser needs its CSRF token to sign in again")
		p = b.submit("/login", url.Values{"email": {developer}, "password": {password(developer)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		after := b.cookie()
		assert.NotEqual(t, before, after)
		_, _, err := r.acc.Authenticate(context.Background(), before)
		assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err), "the session from before sign-in is gone")
		_, _, err = r.acc.Authenticate(context.Background(), after)
		assert.NoError(t, err)
	})
	t.Run("a session someone else obtained cannot be adopted by a new sign-in", func(t *testing.T) {
		victim := r.browser()
		other := r.signIn(viewer)
		victim.setCookie(other.cookie())
		p := victim.submit("/login", url.Values{"email": {developer}, "password": {password(developer)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		assert.NotEqual(t, other.cookie(), victim.cookie())
		assert.NotEmpty(t, victim.cookie())
		assert.Equal(t, http.StatusSeeOther, other.get("/").status, "the session the browser came with was ended")
	})
}

func TestSetupLink(t *testing.T) {
	r := newRig(t)
	ada := r.signIn(admin)
	p := ada.submit("/users/add", url.Values{"email": {"New@Example.com"}, "role": {engine.RoleViewer}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Contains(t, p.body, "Setup link for new@example.com")
	_, link, ok := strings.Cut(p.body, r.srv.Listener.Addr().String()+"/setup/")
	require.True(t, ok, p.body)
	secret, _, _ := strings.Cut(link, "<")
	path := "/setup/" + secret

	b := r.browser()
	t.Run("the link asks for a password and keeps secrets out of Referer", func(t *testing.T) {
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status)
		assert.Equal(t, "no-referrer", p.header.Get("Referrer-Policy"))
		assert.Equal(t, "no-store", p.header.Get("Cache-Control"))
		assert.Contains(t, p.body, `type="password"`)
	})
	t.Run("bad passwords are explained next to the field and keep the link", func(t *testing.T) {
		p := b.post(path, url.Values{"password": {"long enough one"}, "password2": {"long enough two"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="password2-error">The two passwords differ`)
		p = b.post(path, url.Values{"password": {"short"}, "password2": {"short"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, `id="password-error">The password is too short`)
	})
	t.Run("a good password is set and the link is used up", func(t *testing.T) {
		p := b.post(path, url.Values{"password": {"a fine new password"}, "password2": {"a fine new password"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/login?done=password-set", p.header.Get("Location"))
		p = b.post("/login", url.Values{"email": {"new@example.com"}, "password": {"a fine new password"}})
		assert.Equal(t, http.StatusSeeOther, p.status)
		p = r.browser().post(path, url.Values{"password": {"another password"}, "password2": {"another password"}})
		assert.Equal(t, http.StatusNotFound, p.status)
		assert.Contains(t, p.body, "This setup link is not valid")
	})
	t.Run("no secret reaches the log", func(t *testing.T) {
		r.browser().post("/setup/"+strings.Repeat("x", 300), url.Values{"password": {"a fine new password"}, "password2": {"a fine new password"}})
		assert.NotContains(t, r.logged.String(), secret)
		assert.NotContains(t, r.logged.String(), ada.cookie())
	})
}
