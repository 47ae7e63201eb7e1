package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// setupData is the set-password page's Data.
type setupData struct {
	MinLen  int
	Invalid bool
}

// setupPage asks for a new password, or, when the link is used, expired
// or unknown, says so at once (checking does not use the link up).
func (d *Dashboard) setupPage(c echo.Context, v *view) error {
	data := setupData{MinLen: engine.MinPasswordLen}
	v.Title, v.Data = "Set your password", data
	err := d.cfg.Accounts.CheckSetupLink(c.Request().Context(), c.Param("secret"))
	switch engine.ErrorCode(err) {
	case "":
		return d.render(c, http.StatusOK, "setup", v)
	case engine.ENOTFOUND:
		data.Invalid = true
		v.Data, v.Error = data, sentence(engine.ErrorMessage(err))
		return d.render(c, http.StatusNotFound, "setup", v)
	}
	return err
}

// setup sets the password of the setup link's user. A bad password keeps
// the link usable; a used, expired or unknown link says to ask for a new one.
func (d *Dashboard) setup(c echo.Context, v *view) error {
	pw, again := c.FormValue("password"), c.FormValue("password2")
	data := setupData{MinLen: engine.MinPasswordLen}
	v.Title, v.Data = "Set your password", data
	if pw != again {
		v.Fields["password2"] = "The two passwords differ: type the same password twice."
		return d.render(c, http.StatusBadRequest, "setup", v)
	}
	err := d.cfg.Accounts.SetPasswordWithLink(c.Request().Context(), c.Param("secret"), pw)
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, "/login", "password-set")
	case engine.EINVALID:
		v.showError(err, "password")
		return d.render(c, http.StatusBadRequest, "setup", v)
	case engine.ENOTFOUND:
		data.Invalid = true
		v.Data, v.Error = data, sentence(engine.ErrorMessage(err))
		return d.render(c, http.StatusNotFound, "setup", v)
	}
	return err
}
