package dashboard

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// appActions are the controls of the app page: what the signed-in role
// may do to the app, and with what.
type appActions struct {
	Push pushInfo
	// Current is the live release number, 0 before the first deploy.
	Current int
	// Types are the process types that run and may be restarted.
	Types                                   []string
	Maintenance                             bool
	CanDeploy, CanMaintain, CanDestroy, Any bool
}

// appActions gathers the app page's controls for v's role.
func (d *Dashboard) appActions(ctx context.Context, v *view, app *engine.App) (*appActions, error) {
	a := &appActions{Push: d.pushInfo(app), Current: app.CurrentRelease, Maintenance: app.Edge.Maintenance,
		CanDeploy: v.Can(engine.ActDeploy), CanMaintain: v.Can(engine.ActDomains), CanDestroy: v.Can(engine.ActDestroyApp)}
	a.Any = a.CanDeploy || a.CanMaintain || a.CanDestroy
	rel, err := d.currentRelease(ctx, app)
	if err != nil {
		return nil, err
	}
	for _, t := range processTypes(rel) {
		if scaleCount(app.Scale, t) > 0 {
			a.Types = append(a.Types, t)
		}
	}
	return a, nil
}

// redeploy deploys the current release again, once confirmed.
func (d *Dashboard) redeploy(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDeploy); err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		cur := "v" + strconv.Itoa(app.CurrentRelease)
		return d.confirm(c, v, confirmData{
			Question: "Redeploy " + app.Name + " " + cur + "?",
			Detail:   "A new release with the image and config of " + cur + " replaces the running containers once it is healthy. Nothing is rebuilt.",
			Action:   appPath(app.Name, "redeploy"), Button: "Redeploy", Busy: "Redeploying…", Cancel: appPath(app.Name),
		})
	}
	if _, err := d.cfg.Engine.Redeploy(longCtx(c), engine.RedeployRequest{App: app.Name}); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "redeployed")
}

// restart replaces the containers of one process type, once confirmed.
func (d *Dashboard) restart(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDeploy); err != nil {
		return err
	}
	typ := c.FormValue("process")
	if typ == "" {
		return engine.FieldError("process", "choose a process type to restart, such as web")
	}
	if c.FormValue("confirm") != "yes" {
		return d.confirm(c, v, confirmData{
			Question: "Restart the " + typ + " containers of " + app.Name + "?",
			Detail:   "Fresh containers replace them; web ones take traffic once healthy and the old ones are drained first.",
			Action:   appPath(app.Name, "restart"), Fields: map[string]string{"process": typ},
			Button: "Restart", Busy: "Restarting…", Cancel: appPath(app.Name),
		})
	}
	if err := d.cfg.Engine.Restart(longCtx(c), engine.RestartRequest{App: app.Name, Process: typ}); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "restarted")
}

// maintenance turns maintenance mode on (once confirmed) or off.
func (d *Dashboard) maintenance(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDomains); err != nil {
		return err
	}
	on, err := strconv.ParseBool(c.FormValue("on"))
	if err != nil {
		return engine.FieldError("on", "say whether maintenance goes on or off")
	}
	if on && c.FormValue("confirm") != "yes" {
		return d.confirm(c, v, confirmData{
			Question: "Put " + app.Name + " in maintenance?",
			Detail:   "Every request gets the maintenance page (503) until you turn it off; the containers keep running.",
			Action:   appPath(app.Name, "maintenance"), Fields: map[string]string{"on": "true"},
			Button: "Turn maintenance on", Busy: "Turning on…", Cancel: appPath(app.Name),
		})
	}
	if _, err := d.cfg.Engine.SetEdge(c.Request().Context(), app.Name, engine.EdgeChange{Maintenance: &on}); err != nil {
		return err
	}
	done := "maintenance-off"
	if on {
		done = "maintenance-on"
	}
	return redirectDone(c, appPath(app.Name), done)
}

// destroyApp destroys the app once its name is typed into the form, as
// the CLI's --confirm NAME; without it, it asks for the name.
func (d *Dashboard) destroyApp(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDestroyApp); err != nil {
		return err
	}
	typed := c.FormValue("confirm_name")
	if typed != app.Name {
		status := http.StatusOK
		if typed != "" {
			status = http.StatusBadRequest
			v.Fields["confirm_name"] = "That is not the app's name: type " + app.Name + " exactly to destroy it."
		}
		v.Title, v.Data = "Destroy "+app.Name, nil
		return d.render(c, status, "destroy", v)
	}
	if err := d.cfg.Engine.Destroy(longCtx(c), app.Name); err != nil {
		return err
	}
	return redirectDone(c, "/", "app-destroyed")
}

// confirm shows the confirmation page of cd.
func (d *Dashboard) confirm(c echo.Context, v *view, cd confirmData) error {
	v.Data = cd
	return d.render(c, http.StatusOK, "confirm", v)
}
