package ui

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listCronJobs(c echo.Context) error {
	ctx := c.Request().Context()
	jobs, err := s.cfg.Engine.CronJobs(ctx, c.Param("app"))
	if err != nil {
		return err
	}
	out := api.CronJobList{Jobs: make([]api.CronJob, 0, len(jobs))}
	for _, j := range jobs {
		out.Jobs = append(out.Jobs, s.cronJobJSON(ctx, j))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) addCronJob(c echo.Context) error {
	var in api.AddCronJob
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Timeout < 0 || in.Timeout > int64(engine.MaxCronTimeout/time.Second) {
		return engine.FieldError("timeout_seconds", "the timeout must be from 1 to %d seconds", int64(engine.MaxCronTimeout/time.Second))
	}
	j, err := s.cfg.Engine.AddCronJob(c.Request().Context(), engine.CronJob{
		App: c.Param("app"), Name: in.Name, Schedule: in.Schedule, TimeZone: in.TimeZone, Command: in.Command,
		Timeout: time.Duration(in.Timeout) * time.Second, Overlap: in.Overlap,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cronJobJSON(j, nil))
}

func (s *Server) changeCronJob(c echo.Context) error {
	var in api.ChangeCronJob
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.cfg.Engine.PauseCronJob(ctx, c.Param("app"), c.Param("job"), in.Paused); err != nil {
		return err
	}
	j, err := s.cfg.Engine.CronJob(ctx, c.Param("app"), c.Param("job"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.cronJobJSON(ctx, j))
}

func (s *Server) removeCronJob(c echo.Context) error {
	if err := s.cfg.Engine.RemoveCronJob(c.Request().Context(), c.Param("app"), c.Param("job")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) runCronJob(c echo.Context) error {
	run, err := s.cfg.Engine.RunCronJob(c.Request().Context(), c.Param("app"), c.Param("job"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, cronRunJSON(run))
}

func (s *Server) listCronRuns(c echo.Context) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > engine.MaxCronHistory {
			return engine.FieldError("limit", "limit must be a number from 1 to %d", engine.MaxCronHistory)
		}
		limit = n
	}
	runs, err := s.cfg.Engine.CronHistory(c.Request().Context(), c.Param("app"), c.QueryParam("job"), limit)
	if err != nil {
		return err
	}
	out := api.CronRunList{Runs: make([]api.CronRun, 0, len(runs))}
	for _, r := range runs {
		out.Runs = append(out.Runs, cronRunJSON(r))
	}
	return c.JSON(http.StatusOK, out)
}

// cronJobJSON is j with its newest run.
func (s *Server) cronJobJSON(ctx context.Context, j *engine.CronJob) api.CronJob {
	runs, err := s.cfg.Engine.CronHistory(ctx, j.App, j.Name, 1)
	if err != nil || len(runs) == 0 {
		return cronJobJSON(j, nil)
	}
	return cronJobJSON(j, runs[0])
}

func cronJobJSON(j *engine.CronJob, last *engine.CronRun) api.CronJob {
	out := api.CronJob{
		Name: j.Name, Schedule: j.Schedule, TimeZone: j.TimeZone, Command: j.Command,
		Timeout: int64(j.Timeout / time.Second), Overlap: j.Overlap, Source: j.Source, Paused: j.Paused,
		NextRun: timePtr(j.NextRun), CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt,
	}
	if last != nil {
		r := cronRunJSON(last)
		out.LastRun = &r
	}
	return out
}

func cronRunJSON(r *engine.CronRun) api.CronRun {
	return api.CronRun{
		ID: r.ID, Job: r.Job, Slot: timePtr(r.Slot), Trigger: r.Trigger, Status: r.Status, ExitCode: r.ExitCode,
		Message: r.Message, StartedAt: r.StartedAt, FinishedAt: timePtr(r.FinishedAt), Duration: r.Duration().Seconds(),
	}
}
