package dashboard

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui"
)

// keysData is the SSH keys page's Data.
type keysData struct {
	Keys []*engine.Key
	// AllUsers is true when the list holds everyone's keys (admins).
	AllUsers bool
	// CanAdd is false for identities without a user (they have no keys).
	CanAdd bool
}

// keysPage lists one's own SSH keys (everyone's, for admins) with their
// fingerprints, and a form to add one.
func (d *Dashboard) keysPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	return d.renderKeys(c, v, http.StatusOK)
}

func (d *Dashboard) renderKeys(c echo.Context, v *view, status int) error {
	keys, err := d.cfg.Engine.ListKeys(c.Request().Context())
	if err != nil {
		return err
	}
	v.Title, v.Section = "SSH keys", "keys"
	v.Data = keysData{Keys: keys, AllUsers: v.Can(engine.ActManageUsers), CanAdd: v.ID.User != ""}
	return d.render(c, status, "keys", v)
}

// addKey adds a public key for the signed-in user, with the rules of
// `quayside keys add`: one public key in authorized_keys format, no
// private key, no weak key type, a unique name and fingerprint.
func (d *Dashboard) addKey(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	name, text := strings.TrimSpace(c.FormValue("name")), c.FormValue("public_key")
	v.Form.Set("name", name)
	if !strings.Contains(text, "PRIVATE KEY") { // never echo a private key back
		v.Form.Set("public_key", text)
	}
	k, err := ui.ParsePublicKey(text)
	if err == nil {
		k.Name = name
		if name == "" {
			k.Name = keyComment(text)
		}
		err = d.cfg.Engine.AddKey(c.Request().Context(), k)
	}
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, "/keys", "key-added")
	case engine.EINVALID, engine.ECONFLICT:
		v.showError(err, "name", "public_key")
		return d.renderKeys(c, v, engine.HTTPStatus(err))
	}
	return err
}

// keyComment is the comment of an authorized_keys line ("me@laptop"),
// the key's name when none is given; "" when it has none that is a valid
// name (the name is then asked for).
func keyComment(text string) string {
	f := strings.Fields(text)
	if len(f) < 3 || engine.ValidateKeyName(f[2]) != nil {
		return ""
	}
	return f[2]
}

// removeKey removes one of one's keys (any, for admins), once confirmed.
func (d *Dashboard) removeKey(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	name := c.FormValue("name")
	if c.FormValue("confirm") != "yes" {
		v.Title, v.Section = "Remove an SSH key", "keys"
		return d.confirm(c, v, confirmData{
			Question: "Remove the SSH key " + name + "?", Detail: "Pushes with it are refused from now on.",
			Action: "/keys/remove", Fields: map[string]string{"name": name}, Button: "Remove", Cancel: "/keys",
		})
	}
	if err := d.cfg.Engine.RemoveKey(c.Request().Context(), name); err != nil {
		return err
	}
	return redirectDone(c, "/keys", "key-removed")
}
