package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// CronJob is a scheduled job of an app.
type CronJob struct {
	Name     string   `json:"name"`
	Schedule string   `json:"schedule"`
	TimeZone string   `json:"time_zone,omitempty"`
	Command  []string `json:"command"`
	// Timeout is in seconds.
	Timeout int64  `json:"timeout_seconds"`
	Overlap string `json:"overlap"`
	// Source is "manual" or "app.json".
	Source    string     `json:"source"`
	Paused    bool       `json:"paused"`
	NextRun   *time.Time `json:"next_run,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	// LastRun is the newest run, if any.
	LastRun *CronRun `json:"last_run,omitempty"`
}

// CronJobList is the body of GET /apps/{app}/cron.
type CronJobList struct {
	Jobs []CronJob `json:"jobs"`
}

// AddCronJob is the body of POST /apps/{app}/cron.
type AddCronJob struct {
	Name     string   `json:"name"`
	Schedule string   `json:"schedule"`
	TimeZone string   `json:"time_zone,omitempty"`
	Command  []string `json:"command"`
	// Timeout is in seconds; 0 means an hour.
	Timeout int64 `json:"timeout_seconds,omitempty"`
	// Overlap is "skip" (the default) or "queue".
	Overlap string `json:"overlap,omitempty"`
}

// ChangeCronJob is the body of PATCH /apps/{app}/cron/{job}.
type ChangeCronJob struct {
	Paused bool `json:"paused"`
}

// CronRun is one run of a scheduled job.
type CronRun struct {
	ID      int64      `json:"id"`
	Job     string     `json:"job"`
	Slot    *time.Time `json:"slot,omitempty"`
	Trigger string     `json:"trigger"`
	// Status is running, succeeded, failed, timed out, skipped, queued or
	// interrupted.
	Status     string     `json:"status"`
	ExitCode   int        `json:"exit_code"`
	Message    string     `json:"message,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Duration is in seconds, 0 while it runs.
	Duration float64 `json:"duration_seconds"`
}

// CronRunList is the body of GET /apps/{app}/cron-runs.
type CronRunList struct {
	Runs []CronRun `json:"runs"`
}

// CronJobs lists an app's scheduled jobs.
func (c *Client) CronJobs(ctx context.Context, app string) ([]CronJob, error) {
	var l CronJobList
	return l.Jobs, c.do(ctx, http.MethodGet, appPath(app, "/cron"), nil, &l)
}

// AddCronJob adds a scheduled job to an app.
func (c *Client) AddCronJob(ctx context.Context, app string, j AddCronJob) (*CronJob, error) {
	var out CronJob
	return &out, c.do(ctx, http.MethodPost, appPath(app, "/cron"), j, &out)
}

// RemoveCronJob removes a scheduled job added by hand.
func (c *Client) RemoveCronJob(ctx context.Context, app, job string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/cron/")+url.PathEscape(job), nil, nil)
}

// PauseCronJob pauses (paused) or resumes a scheduled job.
func (c *Client) PauseCronJob(ctx context.Context, app, job string, paused bool) (*CronJob, error) {
	var out CronJob
	return &out, c.do(ctx, http.MethodPatch, appPath(app, "/cron/")+url.PathEscape(job), ChangeCronJob{Paused: paused}, &out)
}

// RunCronJob starts a run of a scheduled job now.
func (c *Client) RunCronJob(ctx context.Context, app, job string) (*CronRun, error) {
	var out CronRun
	return &out, c.do(ctx, http.MethodPost, appPath(app, "/cron/")+url.PathEscape(job)+"/run", nil, &out)
}

// CronRuns lists up to limit runs of an app's jobs (of job alone unless it
// is ""), newest first.
func (c *Client) CronRuns(ctx context.Context, app, job string, limit int) ([]CronRun, error) {
	q := url.Values{}
	if job != "" {
		q.Set("job", job)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := appPath(app, "/cron-runs")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var l CronRunList
	return l.Runs, c.do(ctx, http.MethodGet, path, nil, &l)
}
