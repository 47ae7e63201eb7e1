package dashboard

import (
	"maps"
	"net/http"
	"slices"
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
	rels, err := d.cfg.Engine.ListReleases(ctx, app.Name, 10)
	if err != nil {
		return err
	}
	cs, err := d.cfg.Engine.Processes(ctx, app.Name)
	if err != nil {
		return err
	}
	if rel := findRelease(rels, app.CurrentRelease); rel != nil {
		data.Rows = scaleRows(app, rel, cs, v)
	}
	v.Title, v.Data = app.Name+" scale", data
	return d.render(c, status, "scale", v)
}

// scaleRows lists the release's long-running process types.
func scaleRows(app *engine.App, rel *engine.Release, cs []*engine.Container, v *view) []scaleRow {
	procs := rel.Processes
	if len(procs) == 0 {
		procs = []engine.Process{{Type: engine.ProcessWeb}}
	}
	var rows []scaleRow
	for _, p := range procs {
		if p.Type == engine.ProcessRelease {
			continue
		}
		row := scaleRow{Type: p.Type, Command: p.Command(), Count: scaleCount(app.Scale, p.Type)}
		if s := v.Form.Get("scale." + p.Type); s != "" {
			row.Count, _ = strconv.Atoi(s)
		}
		for _, c := range cs {
			if c.Process == p.Type && c.Release == rel.Number && c.Running {
				row.Running++
			}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b scaleRow) int { return strings.Compare(a.Type, b.Type) })
	return rows
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
		v.showError(err, slices.Collect(maps.Keys(change))...)
		return d.renderScale(c, v, statusByCode[engine.ErrorCode(err)])
	}
	return err
}
