package dashboard

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// scaleData is the scale page's Data.
type scaleData struct {
	Rows      []scaleRow
	NoRelease bool
	CanChange bool
	Max       int
}

// scaleRow is one process type: its command, how many containers should
// run and how many do.
type scaleRow struct {
	Type, Command  string
	Count, Running int
}

func (d *Dashboard) scalePage(c echo.Context, v *view) error {
	if _, err := d.loadApp(c, v, "scale"); err != nil {
		return err
	}
	return d.renderScale(c, v, http.StatusOK)
}

func (d *Dashboard) renderScale(c echo.Context, v *view, status int) error {
	ctx, app := c.Request().Context(), v.App
	data := scaleData{CanChange: v.Can(engine.ActScale), Max: engine.MaxReplicas, NoRelease: app.CurrentRelease == 0}
	rel, err := d.currentRelease(ctx, app)
	if err != nil {
		return err
	}
	cs, err := d.cfg.Engine.Processes(ctx, app.Name)
	if err != nil {
		return err
	}
	if rel != nil {
		data.Rows = scaleRows(app, rel, cs, v)
	}
	v.Title, v.Data = app.Name+" scale", data
	return d.render(c, status, "scale", v)
}

// scaleRows lists the release's long-running process types.
func scaleRows(app *engine.App, rel *engine.Release, cs []*engine.Container, v *view) []scaleRow {
	var rows []scaleRow
	for _, typ := range processTypes(rel) {
		p, _ := findProcess(rel.Processes, typ)
		row := scaleRow{Type: typ, Command: p.Command(), Count: scaleCount(app.Scale, typ)}
		if s := v.Form.Get("scale." + typ); s != "" {
			row.Count, _ = strconv.Atoi(s)
		}
		for _, c := range cs {
			if c.Process == typ && c.Release == rel.Number && c.Running {
				row.Running++
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// findProcess returns the process of type typ in ps.
func findProcess(ps []engine.Process, typ string) (engine.Process, bool) {
	for _, p := range ps {
		if p.Type == typ {
			return p, true
		}
	}
	return engine.Process{Type: typ}, false
}

// scaleCount is how many containers of typ app runs: web runs one unless
// scaled, other types none.
func scaleCount(s engine.Scale, typ string) int {
	if n, ok := s[typ]; ok {
		return n
	}
	if typ == engine.ProcessWeb {
		return 1
	}
	return 0
}

// scale applies the counts in the form ("scale.<type>" fields).
func (d *Dashboard) scale(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "scale")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActScale); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return engine.Errorf(engine.EINVALID, "the form could not be read: reload the page and try again")
	}
	change := engine.Scale{}
	for name, vals := range form {
		typ, ok := strings.CutPrefix(name, "scale.")
		if !ok || len(vals) == 0 {
			continue
		}
		v.Form.Set(name, vals[0])
		n, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			v.Fields[typ] = "Enter a whole number from 0 to " + strconv.Itoa(engine.MaxReplicas) + "."
			continue
		}
		change[typ] = n
	}
	if len(change) == 0 && len(v.Fields) == 0 {
		v.Error = "Nothing to change."
	}
	if len(v.Fields) > 0 || v.Error != "" {
		return d.renderScale(c, v, http.StatusBadRequest)
	}
	_, err = d.cfg.Engine.Scale(longCtx(c), engine.ScaleRequest{App: app.Name, Change: change})
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, appPath(app.Name, "scale"), "scaled")
	case engine.EINVALID, engine.EDEPLOYFAILED, engine.ECONFLICT:
		rel, _ := d.currentRelease(c.Request().Context(), app)
		v.showError(err, processTypes(rel)...)
		return d.renderScale(c, v, engine.HTTPStatus(err))
	}
	return err
}
