package dashboard

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// How much of an app's history its page shows.
const (
	appReleases = 20
	appEvents   = 10
)

// appData is the app page's Data.
type appData struct {
	Releases    []*engine.Release
	Processes   []*engine.Container
	Events      []*engine.Event
	CanRollback bool
	// Previews are the app's previews; PreviewsOn says previews are enabled.
	Previews          []*engine.Preview
	PreviewsOn        bool
	CanDestroyPreview bool
	// RollbackConfig says, by release number, what a rollback does to
	// the config (names only).
	RollbackConfig map[int]rollbackNote
	Actions        *appActions
	// Cron are the app's scheduled jobs; CanRunCron shows "Run now".
	Cron       []cronRow
	CanRunCron bool
	// Addons are the app's add-ons; CanRestoreAddon shows "Restore…".
	Addons          []addonRow
	CanRestoreAddon bool
}

func (d *Dashboard) appPage(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	data := appData{CanRollback: v.Can(engine.ActDeploy)}
	if data.Releases, err = d.cfg.Engine.ListReleases(ctx, app.Name, appReleases); err != nil {
		return err
	}
	if data.Processes, err = d.cfg.Engine.Processes(ctx, app.Name); err != nil {
		return err
	}
	sortContainers(data.Processes)
	if data.RollbackConfig, err = d.rollbackConfig(ctx, app, data.Releases); err != nil {
		return err
	}
	if data.Actions, err = d.appActions(ctx, v, app); err != nil {
		return err
	}
	if data.Events, err = d.cfg.Engine.Events(ctx, app.Name, 0, appEvents); err != nil {
		return err
	}
	if err := d.loadPreviews(c, v, app.Name, &data); err != nil {
		return err
	}
	if err := d.loadCron(c, v, app.Name, &data); err != nil {
		return err
	}
	if err := d.loadAddons(c, v, app.Name, &data); err != nil {
		return err
	}
	v.Data = data
	return d.render(c, http.StatusOK, "app", v)
}

// confirmData is the confirmation page's Data: a question and the form
// that answers it with confirm=yes.
type confirmData struct {
	Question, Detail string
	Action           string
	Fields           map[string]string
	Button, Busy     string
	Cancel           string
}

// rollback rolls the app back to the release in the form, once confirmed
// (by the dialog, or by the confirmation page without JavaScript).
func (d *Dashboard) rollback(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDeploy); err != nil {
		return err
	}
	to, err := strconv.Atoi(c.FormValue("to"))
	if err != nil || to < 1 {
		return engine.FieldError("to", "choose a release to roll back to, such as v3")
	}
	if c.FormValue("confirm") != "yes" {
		detail, err := d.rollbackDetail(c, app, to)
		if err != nil {
			return err
		}
		v.Data = confirmData{
			Question: "Roll back " + app.Name + " to v" + strconv.Itoa(to) + "?",
			Detail:   "A new release with the image and config of v" + strconv.Itoa(to) + " replaces the live one once it is healthy. " + detail,
			Action:   appPath(app.Name, "rollback"), Fields: map[string]string{"to": strconv.Itoa(to)},
			Button: "Roll back", Busy: "Rolling back…", Cancel: appPath(app.Name),
		}
		return d.render(c, http.StatusOK, "confirm", v)
	}
	if _, err := d.cfg.Engine.Rollback(longCtx(c), engine.RollbackRequest{App: app.Name, To: to}); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "rolled-back")
}
