package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// loginData is the sign-in page's Data.
type loginData struct {
	// Next is where to go after signing in: always a local path.
	Next string
}

// signInStatus is the status of the sign-in page after a refusal.
var signInStatus = map[string]int{
	engine.EUNAUTHORIZED: http.StatusUnauthorized,
	engine.EFORBIDDEN:    http.StatusForbidden,
	engine.EUNAVAILABLE:  http.StatusTooManyRequests,
}

func (d *Dashboard) loginPage(c echo.Context, v *view) error {
	next := localPath(c.QueryParam("next"))
	if v.SignedIn {
		return c.Redirect(http.StatusSeeOther, next)
	}
	v.Title, v.Data = "Sign in", loginData{Next: next}
	return d.render(c, http.StatusOK, "login", v)
}

// login checks the e-mail and password and starts a new session. The
// cookie always gets a new secret: a session ID the browser came with is
// never adopted (it is ended instead), so nobody can plant one.
func (d *Dashboard) login(c echo.Context, v *view) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	v.Title, v.Data = "Sign in", loginData{Next: localPath(c.FormValue("next"))}
	v.Form.Set("email", email)
	if email == "" {
		v.Fields["email"] = "Enter your e-mail address."
	}
	if password == "" {
		v.Fields["password"] = "Enter your password."
	}
	if len(v.Fields) > 0 {
		return d.render(c, http.StatusBadRequest, "login", v)
	}
	d.endBrowserSession(c)
	s, secret, err := d.cfg.Accounts.SignIn(c.Request().Context(), email, password, auth.ClientAddr(c.Request()))
	if status, ok := signInStatus[engine.ErrorCode(err)]; ok {
		v.Error = sentence(engine.ErrorMessage(err))
		return d.render(c, status, "login", v)
	}
	if err != nil {
		return err
	}
	d.cfg.Auth.SetCookie(c, secret, s.ExpiresAt)
	return c.Redirect(http.StatusSeeOther, v.Data.(loginData).Next)
}

// logout ends the session and forgets its cookie. With a live session it
// needs the CSRF token, so that no other site can sign anyone out.
func (d *Dashboard) logout(c echo.Context, v *view) error {
	if s := auth.Session(c); s != nil && !engine.CheckCSRF(s, c.FormValue(auth.CSRFField)) {
		return errCSRF
	}
	d.endBrowserSession(c)
	return redirectDone(c, "/login", "signed-out")
}

// endBrowserSession ends the session whose cookie the browser sent, if
// any, and clears the cookie.
func (d *Dashboard) endBrowserSession(c echo.Context) {
	ck, err := auth.SessionCookie(c)
	if err != nil || ck.Value == "" {
		return
	}
	if err := d.cfg.Accounts.SignOut(c.Request().Context(), ck.Value); err != nil {
		d.log.Warn("end dashboard session", "err", err)
	}
	d.cfg.Auth.ClearCookie(c)
}
