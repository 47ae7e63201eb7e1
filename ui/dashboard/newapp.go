package dashboard

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// newAppPage asks for a new app's name, for those who may create apps.
func (d *Dashboard) newAppPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActCreateApp); err != nil {
		return err
	}
	v.Title, v.Section = "New app", "apps"
	return d.render(c, http.StatusOK, "newapp", v)
}

// createApp creates the app named in the form and shows its page, where
// the push instructions wait for its first deploy. A bad or taken name
// is explained next to the field, with the rules the CLI and API apply.
func (d *Dashboard) createApp(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActCreateApp); err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	v.Form.Set("name", name)
	app, err := d.cfg.Engine.CreateApp(c.Request().Context(), name, v.ID.Name)
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, appPath(app.Name), "app-created")
	case engine.EINVALID, engine.ECONFLICT, engine.ETOOMANY:
		v.Fields["name"] = sentence(engine.ErrorMessage(err))
		v.Title, v.Section = "New app", "apps"
		return d.render(c, engine.HTTPStatus(err), "newapp", v)
	}
	return err
}

// pushInfo is how to deploy an app: its push URLs and branch.
type pushInfo struct {
	pushURLs
	Branch string
}

// pushInfo returns the push instructions of app.
func (d *Dashboard) pushInfo(app *engine.App) pushInfo {
	p := pushInfo{pushURLs: d.push(app.Name), Branch: app.DeployBranch}
	if p.Branch == "" {
		p.Branch = engine.DefaultDeployBranch
	}
	return p
}
