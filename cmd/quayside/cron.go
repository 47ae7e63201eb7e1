package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/quayside/quayside/ui/api"
)

type cronCmd struct {
	List    cronListCmd    `cmd:"" default:"withargs" help:"List an app's scheduled jobs with their next run and last result."`
	Add     cronAddCmd     `cmd:"" help:"Add a scheduled job: quayside cron add APP \"*/15 * * * *\" -- CMD ARGS"`
	Remove  cronRemoveCmd  `cmd:"" help:"Remove a scheduled job added by hand (app.json jobs go with app.json)."`
	Pause   cronPauseCmd   `cmd:"" help:"Pause a scheduled job."`
	Resume  cronResumeCmd  `cmd:"" help:"Resume a paused job from its next slot."`
	Run     cronRunCmd     `cmd:"" help:"Run a scheduled job now, in the background."`
	History cronHistoryCmd `cmd:"" help:"Show the runs of an app's jobs (of one job with JOB)."`
}

type cronListCmd struct {
	App  string `arg:"" help:"App name."`
	JSON bool   `help:"Print JSON."`
}

func (c *cronListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	jobs, err := cl.CronJobs(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(jobs)
	}
	if len(jobs) == 0 {
		fmt.Printf("%s has no scheduled jobs: add one with quayside cron add %s \"0 3 * * *\" -- CMD, or in app.json.\n", c.App, c.App)
		return nil
	}
	w := table("JOB", "SCHEDULE", "COMMAND", "NEXT RUN", "LAST RUN", "SOURCE")
	for _, j := range jobs {
		row(w, j.Name, schedule(j), strings.Join(j.Command, " "), nextRun(j), lastRun(j.LastRun), j.Source)
	}
	return w.Flush()
}

func schedule(j api.CronJob) string {
	if j.TimeZone != "" {
		return j.Schedule + " (" + j.TimeZone + ")"
	}
	return j.Schedule
}

func nextRun(j api.CronJob) string {
	switch {
	case j.Paused:
		return "paused"
	case j.NextRun == nil:
		return "never"
	}
	return j.NextRun.Local().Format("2006-01-02 15:04")
}

func lastRun(r *api.CronRun) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%s %s", r.Status, ago(r.StartedAt))
}

type cronAddCmd struct {
	App      string        `arg:"" help:"App name."`
	Schedule string        `arg:"" help:"Five fields (minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly, @monthly, @yearly."`
	Command  []string      `arg:"" passthrough:"" name:"COMMAND" help:"The command and its arguments, after --."`
	Name     string        `help:"Job name (default: from the command)."`
	TZ       string        `name:"tz" help:"Time zone of the schedule, such as Europe/Paris (default UTC)."`
	Timeout  time.Duration `help:"Stop a run after this long (default 1h)."`
	Overlap  string        `help:"When a run is due while the previous one still goes: skip (default) or queue." enum:"skip,queue," default:""`
}

func (c *cronAddCmd) Run(g *globals) error {
	cmd := c.Command
	if len(cmd) > 0 && cmd[0] == "--" {
		cmd = cmd[1:]
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	j, err := cl.AddCronJob(g.ctx, c.App, api.AddCronJob{
		Name: c.Name, Schedule: c.Schedule, TimeZone: c.TZ, Command: cmd,
		Timeout: int64(c.Timeout / time.Second), Overlap: c.Overlap,
	})
	if err != nil {
		return err
	}
	fmt.Printf("Added the job %s to %s; it next runs %s. Its output goes to quayside logs %s --process cron.%s\n",
		j.Name, c.App, nextRun(*j), c.App, j.Name)
	return nil
}

type cronJobArgs struct {
	App string `arg:"" help:"App name."`
	Job string `arg:"" help:"Job name."`
}

type cronRemoveCmd struct{ cronJobArgs }

func (c *cronRemoveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RemoveCronJob(g.ctx, c.App, c.Job); err != nil {
		return err
	}
	fmt.Printf("Removed the job %s of %s.\n", c.Job, c.App)
	return nil
}

type cronPauseCmd struct{ cronJobArgs }

func (c *cronPauseCmd) Run(g *globals) error { return pauseJob(g, c.cronJobArgs, true) }

type cronResumeCmd struct{ cronJobArgs }

func (c *cronResumeCmd) Run(g *globals) error { return pauseJob(g, c.cronJobArgs, false) }

func pauseJob(g *globals, a cronJobArgs, paused bool) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	j, err := cl.PauseCronJob(g.ctx, a.App, a.Job, paused)
	if err != nil {
		return err
	}
	if paused {
		fmt.Printf("Paused the job %s of %s.\n", j.Name, a.App)
	} else {
		fmt.Printf("Resumed the job %s of %s; it next runs %s.\n", j.Name, a.App, nextRun(*j))
	}
	return nil
}

type cronRunCmd struct{ cronJobArgs }

func (c *cronRunCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if _, err := cl.RunCronJob(g.ctx, c.App, c.Job); err != nil {
		return err
	}
	fmt.Printf("Started the job %s of %s. Follow it with quayside logs %s --process cron.%s; quayside cron history %s %s shows how it ended.\n",
		c.Job, c.App, c.App, c.Job, c.App, c.Job)
	return nil
}

type cronHistoryCmd struct {
	App   string `arg:"" help:"App name."`
	Job   string `arg:"" optional:"" help:"Job name (default: all the app's jobs)."`
	Limit int    `help:"How many runs to show." default:"20"`
	JSON  bool   `help:"Print JSON."`
}

func (c *cronHistoryCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	runs, err := cl.CronRuns(g.ctx, c.App, c.Job, c.Limit)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(runs)
	}
	w := table("JOB", "STARTED", "DURATION", "STATUS", "EXIT", "BY", "MESSAGE")
	for _, r := range runs {
		row(w, r.Job, r.StartedAt.Local().Format("2006-01-02 15:04:05"), duration(r), r.Status, r.ExitCode, r.Trigger, dash(r.Message))
	}
	return w.Flush()
}

func duration(r api.CronRun) string {
	if r.FinishedAt == nil {
		return "-"
	}
	return (time.Duration(r.Duration * float64(time.Second))).Round(time.Second / 10).String()
}
