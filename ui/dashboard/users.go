package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// roles are offered in this order.
var roles = []string{engine.RoleViewer, engine.RoleDeveloper, engine.RoleAdmin}

// usersData is the users page's Data.
type usersData struct {
	Rows  []userRow
	Pager pager
	Roles []string
	// Members are the users who may be granted apps (not admins).
	Members []string
	Apps    []string
	// Selected is the user ?user= picks to manage, nil for none.
	Selected *engine.User
	// NewLink is a setup link just made, shown once.
	NewLink *setupLink
}

// userRow is one user in the list.
type userRow struct {
	*engine.User
	Apps   string
	Manage string
}

// setupLink is a setup link to hand to a user.
type setupLink struct {
	Email, URL string
	Expires    time.Time
}

// usersPage lists the users, for admins; ?user= opens one to manage.
// Accounts leave the check of who may manage users to their callers, so
// every users handler makes it.
func (d *Dashboard) usersPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActManageUsers); err != nil {
		return err
	}
	return d.renderUsers(c, v, http.StatusOK, c.QueryParam("user"), nil)
}

// renderUsers shows the users page, with selected open to manage and a
// setup link just made, if any.
func (d *Dashboard) renderUsers(c echo.Context, v *view, status int, selected string, link *setupLink) error {
	ctx := c.Request().Context()
	users, err := d.cfg.Accounts.ListUsers(ctx)
	if err != nil {
		return err
	}
	access, apps, err := d.appAccess(ctx)
	if err != nil {
		return err
	}
	data := usersData{Roles: roles, Apps: apps, NewLink: link}
	page, pg := paginate(users, pageParam(c), "/users")
	data.Pager = pg
	for _, u := range page {
		data.Rows = append(data.Rows, userRow{User: u, Apps: cutText(80, strings.Join(access[u.Email], ", ")),
			Manage: "/users?" + url.Values{"user": {u.Email}}.Encode() + "#manage"})
	}
	for _, u := range users {
		if u.Email == engine.NormalizeEmail(selected) {
			data.Selected = u
		}
		if u.Role != engine.RoleAdmin {
			data.Members = append(data.Members, u.Email)
		}
	}
	v.Title, v.Section, v.Data = "Users", "users", data
	return d.render(c, status, "users", v)
}

// appAccess returns who has been granted which apps, and every app.
func (d *Dashboard) appAccess(ctx context.Context) (map[string][]string, []string, error) {
	apps, err := d.cfg.Engine.ListApps(ctx)
	if err != nil {
		return nil, nil, err
	}
	access, names := map[string][]string{}, make([]string, 0, len(apps))
	for _, app := range apps {
		names = append(names, app.Name)
		members, err := d.cfg.Accounts.Members(ctx, app.Name)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range members {
			access[m] = append(access[m], app.Name)
		}
	}
	return access, names, nil
}

// userActions are the changes the users page makes, by the last element
// of their path; each returns the flash code to redirect with, or shows a
// page itself and returns "".
var userActions = map[string]func(*Dashboard, echo.Context, *view, string) (string, error){
	"add":     (*Dashboard).addUser,
	"link":    (*Dashboard).newSetupLink,
	"role":    (*Dashboard).changeRole,
	"disable": (*Dashboard).disableUser,
	"enable":  (*Dashboard).enableUser,
	"remove":  (*Dashboard).removeUser,
	"grant":   (*Dashboard).grant,
	"revoke":  (*Dashboard).revoke,
}

// changeUsers makes one change to the users, for admins.
func (d *Dashboard) changeUsers(c echo.Context, v *view) error {
	act, ok := userActions[c.Param("action")]
	if !ok {
		return engine.Errorf(engine.ENOTFOUND, "there is no page at this address")
	}
	if err := d.authorize(c, v, engine.ActManageUsers); err != nil {
		return err
	}
	email := engine.NormalizeEmail(c.FormValue("email"))
	done, err := act(d, c, v, email)
	switch {
	case err != nil && slices.Contains([]string{engine.EINVALID, engine.ECONFLICT}, engine.ErrorCode(err)):
		v.showError(err, "email", "role", "app")
		selected := email
		if c.Param("action") == "add" {
			selected = ""
		}
		return d.renderUsers(c, v, engine.HTTPStatus(err), selected, nil)
	case err != nil:
		return err
	case done == "user-removed":
		return redirectDone(c, "/users", done)
	case done != "":
		return redirectDone(c, "/users?"+url.Values{"user": {email}}.Encode(), done)
	}
	return nil
}

func (d *Dashboard) addUser(c echo.Context, v *view, email string) (string, error) {
	v.Form.Set("email", c.FormValue("email"))
	v.Form.Set("role", c.FormValue("role"))
	u, secret, err := d.cfg.Accounts.AddUser(c.Request().Context(), email, c.FormValue("role"))
	if err != nil {
		return "", err
	}
	v.Form = url.Values{}
	return "", d.showLink(c, v, u.Email, secret)
}

func (d *Dashboard) newSetupLink(c echo.Context, v *view, email string) (string, error) {
	secret, err := d.cfg.Accounts.NewSetupLink(c.Request().Context(), email)
	if err != nil {
		return "", err
	}
	return "", d.showLink(c, v, email, secret)
}

// showLink answers with the users page showing a new setup link once.
func (d *Dashboard) showLink(c echo.Context, v *view, email, secret string) error {
	link := &setupLink{Email: email, URL: c.Scheme() + "://" + c.Request().Host + "/setup/" + secret,
		Expires: time.Now().Add(engine.DefaultSetupLinkTTL)}
	return d.renderUsers(c, v, http.StatusOK, email, link)
}

func (d *Dashboard) changeRole(c echo.Context, _ *view, email string) (string, error) {
	return "user-changed", d.cfg.Accounts.ChangeRole(c.Request().Context(), email, c.FormValue("role"))
}

func (d *Dashboard) disableUser(c echo.Context, _ *view, email string) (string, error) {
	return "user-changed", d.cfg.Accounts.DisableUser(c.Request().Context(), email)
}

func (d *Dashboard) enableUser(c echo.Context, _ *view, email string) (string, error) {
	return "user-changed", d.cfg.Accounts.EnableUser(c.Request().Context(), email)
}

func (d *Dashboard) removeUser(c echo.Context, v *view, email string) (string, error) {
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Remove " + email + "?", Detail: "Their tokens, SSH keys and sessions go too; the audit log keeps what they did.",
			Action: "/users/remove", Fields: map[string]string{"email": email}, Button: "Remove", Cancel: "/users",
		}
		v.Title, v.Section = "Remove a user", "users"
		return "", d.render(c, http.StatusOK, "confirm", v)
	}
	return "user-removed", d.cfg.Accounts.RemoveUser(c.Request().Context(), email)
}

func (d *Dashboard) grant(c echo.Context, v *view, email string) (string, error) {
	if err := d.authorize(c, v, engine.ActManageAccess); err != nil {
		return "", err
	}
	return "user-changed", d.cfg.Accounts.Grant(c.Request().Context(), c.FormValue("app"), email)
}

func (d *Dashboard) revoke(c echo.Context, v *view, email string) (string, error) {
	if err := d.authorize(c, v, engine.ActManageAccess); err != nil {
		return "", err
	}
	return "user-changed", d.cfg.Accounts.Revoke(c.Request().Context(), c.FormValue("app"), email)
}
