package dashboard

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// alertsData is the Data of the alerts pages (an app's, or the server's
// when App is "").
type alertsData struct {
	App   string
	Hooks []engine.Webhook
	// Action is where the forms post ("/alerts" or "/apps/APP/alerts").
	Action    string
	CanChange bool
	Max       int
	// Tested says how the last test went, "" when none ran.
	Tested string
	// TestOK is whether it was delivered.
	TestOK bool
}

func (d *Dashboard) serverAlertsPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActServer); err != nil {
		return err
	}
	return d.renderAlerts(c, v, http.StatusOK, "")
}

func (d *Dashboard) appAlertsPage(c echo.Context, v *view) error {
	if _, err := d.loadApp(c, v, "alerts"); err != nil {
		return err
	}
	return d.renderAlerts(c, v, http.StatusOK, v.App.Name)
}

func (d *Dashboard) renderAlerts(c echo.Context, v *view, status int, app string) error {
	hooks, err := d.cfg.Engine.Webhooks(c.Request().Context(), app)
	if err != nil {
		return err
	}
	data := alertsData{App: app, Hooks: hooks, Action: "/alerts", CanChange: v.Can(engine.ActServer), Max: engine.MaxWebhooks}
	v.Title, v.Section = "Alerts", "alerts"
	if app != "" {
		data.Action, data.CanChange = appPath(app, "alerts"), v.Can(engine.ActSettings)
		v.Title, v.Section = app+" alerts", "apps"
	}
	if prev, ok := v.Data.(alertsData); ok {
		data.Tested, data.TestOK = prev.Tested, prev.TestOK
	}
	v.Data = data
	return d.render(c, status, "alerts", v)
}

func (d *Dashboard) changeServerAlerts(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActServer); err != nil {
		return err
	}
	return d.changeAlerts(c, v, "", "/alerts")
}

func (d *Dashboard) changeAppAlerts(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "alerts")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActSettings); err != nil {
		return err
	}
	return d.changeAlerts(c, v, app.Name, appPath(app.Name, "alerts"))
}

// changeAlerts adds, removes (once confirmed) or tests one webhook of app
// ("" for the server's); the caller has checked the role.
func (d *Dashboard) changeAlerts(c echo.Context, v *view, app, back string) error {
	ctx := c.Request().Context()
	hooks, err := d.cfg.Engine.Webhooks(ctx, app)
	if err != nil {
		return err
	}
	w := engine.Webhook{URL: c.FormValue("url"), Format: c.FormValue("format")}
	switch c.Param("action") {
	case "add":
		return d.addAlert(c, v, app, back, hooks, w)
	case "remove":
		return d.removeAlert(c, v, app, back, hooks, w.URL)
	case "test":
		return d.testAlert(c, v, app, hooks, w.URL)
	}
	return engine.Errorf(engine.ENOTFOUND, "there is no page at this address")
}

func (d *Dashboard) addAlert(c echo.Context, v *view, app, back string, hooks []engine.Webhook, w engine.Webhook) error {
	v.Form.Set("url", w.URL)
	v.Form.Set("format", w.Format)
	err := engine.ValidateWebhook(&w)
	if err == nil && slices.ContainsFunc(hooks, func(h engine.Webhook) bool { return h.URL == w.URL }) {
		err = engine.FieldError("url", "this webhook is already in the list")
	}
	if err == nil && d.cfg.CheckWebhook != nil {
		err = d.cfg.CheckWebhook(w)
	}
	if err == nil {
		err = d.cfg.Engine.SetWebhooks(c.Request().Context(), app, append(hooks, w))
	}
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, back, "alert-added")
	case engine.EINVALID, engine.EFORBIDDEN:
		v.showError(err, "url", "format")
		if len(v.Fields) == 0 && v.Error == "" {
			v.Error = sentence(engine.ErrorMessage(err))
		}
		return d.renderAlerts(c, v, engine.HTTPStatus(err), app)
	}
	return err
}

func (d *Dashboard) removeAlert(c echo.Context, v *view, app, back string, hooks []engine.Webhook, url string) error {
	i := slices.IndexFunc(hooks, func(h engine.Webhook) bool { return h.URL == url })
	if i < 0 || url == "" {
		return engine.Errorf(engine.ENOTFOUND, "no such webhook: reload the page")
	}
	if c.FormValue("confirm") != "yes" {
		return d.confirm(c, v, confirmData{
			Question: "Remove the webhook to " + hooks[i].Host + "?", Detail: "Alerts stop going there.",
			Action: back + "/remove", Fields: map[string]string{"url": url}, Button: "Remove", Cancel: back,
		})
	}
	if err := d.cfg.Engine.SetWebhooks(c.Request().Context(), app, slices.Delete(hooks, i, i+1)); err != nil {
		return err
	}
	return redirectDone(c, back, "alert-removed")
}

// testAlert sends one test alert to a stored webhook and shows whether the
// receiver took it.
func (d *Dashboard) testAlert(c echo.Context, v *view, app string, hooks []engine.Webhook, url string) error {
	ctx := c.Request().Context()
	i := slices.IndexFunc(hooks, func(h engine.Webhook) bool { return h.URL == url })
	if i < 0 || url == "" {
		return engine.Errorf(engine.ENOTFOUND, "no such webhook: reload the page")
	}
	if err := d.cfg.Engine.AuthorizeWebhookTest(ctx, app); err != nil {
		return err
	}
	if d.cfg.TestWebhook == nil {
		return engine.Errorf(engine.ENOTIMPLEMENTED, "this server sends no alerts")
	}
	ok, reason, err := d.cfg.TestWebhook(ctx, app, hooks[i])
	if err != nil {
		return err
	}
	res := alertsData{TestOK: ok, Tested: "The test alert to " + hooks[i].Host + " was delivered."}
	if !ok {
		res.Tested = sentence("The test alert to " + hooks[i].Host + " was not delivered: " + reason)
	}
	v.Data = res
	return d.renderAlerts(c, v, http.StatusOK, app)
}
