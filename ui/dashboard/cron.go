package dashboard

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// cronRow is one scheduled job on the app page, with its newest run.
type cronRow struct {
	Job     *engine.CronJob
	Command string
	Last    *engine.CronRun
}

// loadCron adds app's scheduled jobs to the app page's data.
func (d *Dashboard) loadCron(c echo.Context, v *view, app string, data *appData) error {
	ctx := c.Request().Context()
	jobs, err := d.cfg.Engine.CronJobs(ctx, app)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		row := cronRow{Job: j, Command: strings.Join(j.Command, " ")}
		if runs, err := d.cfg.Engine.CronHistory(ctx, app, j.Name, 1); err == nil && len(runs) > 0 {
			row.Last = runs[0]
		}
		data.Cron = append(data.Cron, row)
	}
	data.CanRunCron = v.Can(engine.ActDeploy)
	return nil
}

// runCron starts a run of the job in the form now ("Run now").
func (d *Dashboard) runCron(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDeploy); err != nil {
		return err
	}
	job := c.FormValue("job")
	if job == "" {
		return engine.FieldError("job", "choose the job to run")
	}
	if _, err := d.cfg.Engine.RunCronJob(c.Request().Context(), app.Name, job); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "cron-started")
}
