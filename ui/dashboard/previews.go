package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// loadPreviews adds app's previews to the app page's data.
func (d *Dashboard) loadPreviews(c echo.Context, v *view, app string, data *appData) error {
	ctx := c.Request().Context()
	ps, err := d.cfg.Engine.ListPreviews(ctx, app)
	if err != nil {
		return err
	}
	_, err = d.cfg.Engine.PreviewSettings(ctx, app)
	if err != nil && engine.ErrorCode(err) != engine.ENOTFOUND {
		return err
	}
	data.Previews, data.PreviewsOn = ps, err == nil
	data.CanDestroyPreview = v.Can(engine.ActDeploy)
	return nil
}

// destroyPreview destroys the preview of the branch in the form, once
// confirmed (by the dialog, or by the confirmation page without JavaScript).
func (d *Dashboard) destroyPreview(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "previews")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDeploy); err != nil {
		return err
	}
	branch := c.FormValue("branch")
	if branch == "" {
		return engine.FieldError("branch", "choose the preview to destroy")
	}
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Destroy the preview of " + branch + "?",
			Detail:   "Its containers, images, config and logs go; pushing the branch again makes a new one.",
			Action:   appPath(app.Name, "previews", "destroy"), Fields: map[string]string{"branch": branch},
			Button: "Destroy", Busy: "Destroying…", Cancel: appPath(app.Name),
		}
		return d.render(c, http.StatusOK, "confirm", v)
	}
	if err := d.cfg.Engine.DestroyPreview(longCtx(c), app.Name, branch); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "preview-gone")
}
