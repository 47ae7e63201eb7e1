package dashboard

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// envDiffData is the Data of the page that shows what a pasted .env block
// changes before it is saved: names only.
type envDiffData struct {
	Diff      engine.ConfigDiff
	Unchanged int
	Env       string
}

// pasteEnv sets every variable of a pasted .env block in one release: the
// first post shows what changes (added and changed names, values hidden),
// the confirmed one saves and deploys.
func (d *Dashboard) pasteEnv(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "config")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActChangeConfig); err != nil {
		return err
	}
	block := c.FormValue("env")
	v.Form.Set("env", block)
	vars, err := parseEnv(block)
	if err != nil {
		return d.envFailed(c, v, err)
	}
	ch := engine.ConfigChange{App: app.Name, Set: vars}
	diff, err := d.cfg.Engine.DryRunConfig(c.Request().Context(), ch)
	if err != nil {
		return d.envFailed(c, v, err)
	}
	if diff.Empty() {
		return d.envFailed(c, v, engine.FieldError("env", "nothing changes: every variable already has that value"))
	}
	if c.FormValue("confirm") != "yes" {
		v.Title = app.Name + " config changes"
		v.Data = envDiffData{Diff: diff, Unchanged: len(vars) - len(diff.Added) - len(diff.Changed), Env: block}
		return d.render(c, http.StatusOK, "envdiff", v)
	}
	if _, err := d.cfg.Engine.SetConfig(longCtx(c), ch); err != nil {
		return d.configFailed(c, v, err)
	}
	return redirectDone(c, appPath(app.Name, "config"), "env-saved")
}

// envFailed shows the config page with the pasted block and why it was
// refused next to it.
func (d *Dashboard) envFailed(c echo.Context, v *view, err error) error {
	if engine.ErrorCode(err) != engine.EINVALID {
		return err
	}
	v.Fields["env"] = sentence(engine.ErrorMessage(err))
	return d.renderConfig(c, v, http.StatusBadRequest, "")
}

// auditReveal records that the signed-in user revealed the value of key
// of app, as a change would be recorded.
func (d *Dashboard) auditReveal(ctx context.Context, app, key string) {
	entry := engine.AuditEntry{Action: string(engine.ActRevealConfig), App: app, Target: key, Success: true}
	if err := d.cfg.Accounts.Audit(context.WithoutCancel(ctx), entry); err != nil {
		d.log.Error("write audit entry", "action", entry.Action, "err", err)
	}
}
