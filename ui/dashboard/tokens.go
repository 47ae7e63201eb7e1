package dashboard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// tokenLifetime is a choice of the token form's Expires field.
type tokenLifetime struct {
	Value, Label string
	d            time.Duration
}

var tokenLifetimes = []tokenLifetime{
	{"90d", "in 90 days", 90 * 24 * time.Hour},
	{"30d", "in 30 days", 30 * 24 * time.Hour},
	{"365d", "in a year", 365 * 24 * time.Hour},
	{"never", "never", 0},
}

// tokensData is the tokens page's Data.
type tokensData struct {
	Tokens []*engine.Token
	// AllUsers is true when the list holds everyone's tokens (admins).
	AllUsers  bool
	CanCreate bool
	Lifetimes []tokenLifetime
	Pager     pager
	// NewToken is a token just made, shown once.
	NewToken *newToken
}

// newToken is a token's name and secret, right after it was made.
type newToken struct{ Name, Secret string }

// tokensPage lists one's own API tokens; admins see everyone's.
func (d *Dashboard) tokensPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	return d.renderTokens(c, v, http.StatusOK, nil)
}

func (d *Dashboard) renderTokens(c echo.Context, v *view, status int, made *newToken) error {
	all := v.Can(engine.ActManageUsers)
	owner := v.ID.User
	if all {
		owner = ""
	}
	data := tokensData{AllUsers: all, CanCreate: v.ID.User != "", Lifetimes: tokenLifetimes, NewToken: made}
	if all || owner != "" {
		toks, err := d.cfg.Accounts.ListTokens(c.Request().Context(), v.ID, owner)
		if err != nil {
			return err
		}
		data.Tokens, data.Pager = paginate(toks, pageParam(c), "/tokens")
	}
	v.Title, v.Section, v.Data = "API tokens", "tokens", data
	return d.render(c, status, "tokens", v)
}

// createToken makes a token for the signed-in user and shows its secret,
// this once.
func (d *Dashboard) createToken(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	name, expires := c.FormValue("name"), c.FormValue("expires")
	v.Form.Set("name", name)
	v.Form.Set("expires", expires)
	life, ok := lifetime(expires)
	if !ok {
		v.Fields["expires"] = "Choose when the token expires."
		return d.renderTokens(c, v, http.StatusBadRequest, nil)
	}
	if v.ID.User == "" {
		return engine.Errorf(engine.EFORBIDDEN, "only users have API tokens: sign in with a user account")
	}
	tok, secret, err := d.cfg.Accounts.CreateToken(c.Request().Context(), v.ID.User, name, life)
	if engine.ErrorCode(err) == engine.EINVALID {
		v.showError(err, "name", "expires")
		return d.renderTokens(c, v, http.StatusBadRequest, nil)
	}
	if err != nil {
		return err
	}
	v.Form = nil
	return d.renderTokens(c, v, http.StatusOK, &newToken{Name: tok.Name, Secret: secret})
}

func lifetime(value string) (time.Duration, bool) {
	for _, l := range tokenLifetimes {
		if l.Value == value {
			return l.d, true
		}
	}
	return 0, false
}

// revokeToken revokes one of one's tokens (any, for admins), once
// confirmed.
func (d *Dashboard) revokeToken(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActOwnAccount); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err != nil || id < 1 {
		return engine.Errorf(engine.ENOTFOUND, "no such token")
	}
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Revoke this token?", Detail: "Whatever uses it stops working at once.",
			Action: "/tokens/revoke", Fields: map[string]string{"id": strconv.FormatInt(id, 10)}, Button: "Revoke", Cancel: "/tokens",
		}
		v.Title, v.Section = "Revoke a token", "tokens"
		return d.render(c, http.StatusOK, "confirm", v)
	}
	if err := d.cfg.Accounts.RevokeToken(c.Request().Context(), v.ID, id); err != nil {
		return err
	}
	return redirectDone(c, "/tokens", "token-revoked")
}
