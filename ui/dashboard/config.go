package dashboard

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// configData is the config page's Data.
type configData struct {
	Version              int
	Vars                 []configVar
	Pager                pager
	CanReveal, CanChange bool
	// Selected is the key ?key= picks: its value is shown and, for those
	// who may change it, fills the form.
	Selected string
	// Marked is whether any variable carries a mark (the legend shows).
	Marked bool
	// PreviewsOnly are the keys every new preview of the app gets on top
	// of its config (config set --previews); production never gets them.
	PreviewsOnly []string
}

// configVar is one variable; Value is set only when it is revealed.
type configVar struct {
	Key, Value, Link string
	Revealed         bool
	// Marks say who never sees the variable.
	Marks []configMark
}

// configMark is a mark of a variable: its badge and what it means.
type configMark struct{ Label, Meaning string }

var (
	markRuntimeOnly    = configMark{"runtime only", "builds never see it (config set --runtime-only)"}
	markProductionOnly = configMark{"production only", "previews never get it (config set --production-only)"}
)

// configMarks returns the marks of key: runtime-only when runtimeOnly
// holds it, production-only when prodOnly does.
func configMarks(key string, runtimeOnly, prodOnly []string) []configMark {
	var marks []configMark
	if slices.Contains(runtimeOnly, key) {
		marks = append(marks, markRuntimeOnly)
	}
	if slices.Contains(prodOnly, key) {
		marks = append(marks, markProductionOnly)
	}
	return marks
}

// configPage lists the app's variables with their values masked; ?key=
// reveals one, for roles that may read values (the engine hands values to
// anyone who may read the app, so the check is here).
func (d *Dashboard) configPage(c echo.Context, v *view) error {
	if _, err := d.loadApp(c, v, "config"); err != nil {
		return err
	}
	key := c.QueryParam("key")
	if key != "" && fromAnotherSite(c.Request()) {
		key = "" // a link on another site reveals nothing, and audits nothing in the user's name
	}
	if key != "" {
		if err := d.authorize(c, v, engine.ActRevealConfig); err != nil {
			return err
		}
		cv, err := d.cfg.Engine.Config(c.Request().Context(), v.App.Name)
		if err != nil {
			return err
		}
		if _, ok := cv.Vars[key]; ok {
			d.auditReveal(c.Request().Context(), v.App.Name, key)
		}
	}
	return d.renderConfig(c, v, http.StatusOK, key)
}

// fromAnotherSite reports whether the browser says r was started from a
// page of another site (a link or a redirect elsewhere), by its
// Sec-Fetch-Site header; requests without it (other clients) are not.
func fromAnotherSite(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "cross-site" || site == "same-site"
}

// renderConfig shows the config page with the value of key selected
// revealed and, unless the form was just sent, in the form.
func (d *Dashboard) renderConfig(c echo.Context, v *view, status int, selected string) error {
	cv, err := d.cfg.Engine.Config(c.Request().Context(), v.App.Name)
	if err != nil {
		return err
	}
	previewVars, prodOnly, err := d.cfg.Engine.PreviewConfig(c.Request().Context(), v.App.Name)
	if err != nil {
		return err
	}
	data := configData{Version: cv.Version, CanReveal: v.Can(engine.ActRevealConfig), CanChange: v.Can(engine.ActChangeConfig),
		PreviewsOnly: slices.Sorted(maps.Keys(previewVars))}
	all, n := cv.Keys(), pageParam(c)
	if i := slices.Index(all, selected); i >= 0 && n == 0 {
		n = i/pageSize + 1
	}
	keys, pg := paginate(all, n, appPath(v.App.Name, "config"))
	data.Pager = pg
	for _, k := range keys {
		cfg := configVar{Key: k, Link: appPath(v.App.Name, "config") + "?" + url.Values{"key": {k}}.Encode() + "#selected",
			Marks: configMarks(k, cv.RuntimeOnly, prodOnly)}
		data.Marked = data.Marked || len(cfg.Marks) > 0
		if k == selected && data.CanReveal {
			cfg.Value, cfg.Revealed = cv.Vars[k], true
		}
		data.Vars = append(data.Vars, cfg)
	}
	if val, ok := cv.Vars[selected]; ok && data.CanReveal {
		data.Selected = selected
		if v.Form.Get("key") == "" {
			v.Form.Set("key", selected)
			v.Form.Set("value", val)
		}
	}
	v.Title, v.Data = v.App.Name+" config", data
	return d.render(c, status, "config", v)
}

// setConfig sets one variable from the form and deploys the change.
// Problems with the key or value show next to their fields.
func (d *Dashboard) setConfig(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "config")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActChangeConfig); err != nil {
		return err
	}
	key, value := strings.TrimSpace(c.FormValue("key")), normalizeNewlines(c.FormValue("value"))
	v.Form.Set("key", key)
	v.Form.Set("value", value)
	if err := engine.ValidateConfigKey(key); err != nil {
		v.Fields["key"] = sentence(engine.ErrorMessage(err))
	} else if err := engine.ValidateConfigValue(key, value); err != nil {
		v.Fields["value"] = sentence(engine.ErrorMessage(err))
	}
	if len(v.Fields) > 0 {
		return d.renderConfig(c, v, http.StatusBadRequest, "")
	}
	_, err = d.cfg.Engine.SetConfig(longCtx(c), engine.ConfigChange{App: app.Name, Set: map[string]string{key: value}})
	if err != nil {
		return d.configFailed(c, v, err)
	}
	return redirectDone(c, appPath(app.Name, "config"), "config-saved")
}

// unsetConfig removes one variable, once confirmed, and deploys the change.
func (d *Dashboard) unsetConfig(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "config")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActChangeConfig); err != nil {
		return err
	}
	key := c.FormValue("key")
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Remove " + key + " from " + app.Name + "?",
			Detail:   "The app is deployed again without it.",
			Action:   appPath(app.Name, "config", "unset"), Fields: map[string]string{"key": key},
			Button: "Remove", Busy: "Removing…", Cancel: appPath(app.Name, "config"),
		}
		return d.render(c, http.StatusOK, "confirm", v)
	}
	_, err = d.cfg.Engine.SetConfig(longCtx(c), engine.ConfigChange{App: app.Name, Unset: []string{key}})
	if err != nil {
		return d.configFailed(c, v, err)
	}
	return redirectDone(c, appPath(app.Name, "config"), "config-unset")
}

// configFailed shows a refused or failed change on the config page; only
// errors that are not about the change itself become error pages.
func (d *Dashboard) configFailed(c echo.Context, v *view, err error) error {
	switch engine.ErrorCode(err) {
	case engine.EINVALID, engine.EDEPLOYFAILED, engine.ECONFLICT:
		v.Error = sentence(engine.ErrorMessage(err))
		return d.renderConfig(c, v, engine.HTTPStatus(err), "")
	}
	return err
}

// normalizeNewlines turns the CRLF line ends browsers send into LF.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}
