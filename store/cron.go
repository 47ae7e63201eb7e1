package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

const cronJobColumns = `j.id, a.name, j.name, j.schedule, j.time_zone, j.command, j.timeout_ms, j.overlap,
	j.source, j.paused, j.next_run, j.created_by, j.created_at`

// AddCronJob stores j and sets its ID and CreatedAt: ECONFLICT when the app
// has a job of that name, EINVALID when it has engine.MaxCronJobs already.
func (db *DB) AddCronJob(ctx context.Context, j *engine.CronJob) error {
	job := *j
	job.CreatedAt = db.now()
	err := db.update(ctx, "add scheduled job", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, job.App)
		if err != nil {
			return err
		}
		if err := checkCronRoom(ctx, tx, id, job.App, 1); err != nil {
			return err
		}
		return insertCronJob(ctx, tx, id, &job)
	})
	if err != nil {
		return err
	}
	*j = job
	return nil
}

// ReplaceAppJSONCronJobs replaces app's jobs from app.json with jobs, keeping
// the hand-added ones and the next slot of jobs whose schedule is unchanged.
func (db *DB) ReplaceAppJSONCronJobs(ctx context.Context, app string, jobs []*engine.CronJob) error {
	return db.update(ctx, "replace scheduled jobs", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		old, err := listCronJobs(ctx, tx, app)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cron_jobs WHERE app_id = ? AND source = 'app.json'`, id); err != nil {
			return fmt.Errorf("remove scheduled jobs: %w", err)
		}
		if err := checkCronRoom(ctx, tx, id, app, len(jobs)); err != nil {
			return err
		}
		for _, j := range jobs {
			job := *j
			job.CreatedAt = db.now()
			keepSlot(&job, old)
			if err := insertCronJob(ctx, tx, id, &job); err != nil {
				return err
			}
		}
		return nil
	})
}

// keepSlot keeps the next slot (and pause) of an app.json job redeclared
// with the same schedule, so a push does not move it.
func keepSlot(j *engine.CronJob, old []*engine.CronJob) {
	for _, o := range old {
		if o.Name == j.Name && o.Source == engine.CronSourceAppJSON && o.Schedule == j.Schedule && o.TimeZone == j.TimeZone {
			j.NextRun, j.Paused = o.NextRun, o.Paused
		}
	}
}

func checkCronRoom(ctx context.Context, tx *sql.Tx, appID int64, app string, adding int) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cron_jobs WHERE app_id = ?`, appID).Scan(&n); err != nil {
		return fmt.Errorf("count scheduled jobs: %w", err)
	}
	if n+adding > engine.MaxCronJobs {
		return engine.Errorf(engine.EINVALID, "app %s would have %d scheduled jobs: the limit is %d; remove some first (quayside cron remove)", app, n+adding, engine.MaxCronJobs)
	}
	return nil
}

func insertCronJob(ctx context.Context, tx *sql.Tx, appID int64, j *engine.CronJob) error {
	cmd, err := json.Marshal(j.Command)
	if err != nil {
		return fmt.Errorf("encode command: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cron_jobs (app_id, name, schedule, time_zone, command, timeout_ms,
		overlap, source, paused, next_run, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		appID, j.Name, j.Schedule, j.TimeZone, string(cmd), j.Timeout.Milliseconds(), j.Overlap, j.Source,
		j.Paused, formatNullTime(j.NextRun), j.CreatedBy, formatTime(j.CreatedAt))
	if isUnique(err) {
		return engine.Errorf(engine.ECONFLICT, "app %s already has a scheduled job named %q: pick another name or remove it first", j.App, j.Name)
	}
	if err != nil {
		return fmt.Errorf("insert scheduled job: %w", err)
	}
	j.ID, err = res.LastInsertId()
	return err
}

// FindCronJob returns app's job name, ENOTFOUND if there is none.
func (db *DB) FindCronJob(ctx context.Context, app, name string) (*engine.CronJob, error) {
	var j *engine.CronJob
	err := db.view(ctx, "find scheduled job", func(tx *sql.Tx) (err error) {
		j, err = findCronJob(ctx, tx, app, name)
		return err
	})
	return j, err
}

func findCronJob(ctx context.Context, tx *sql.Tx, app, name string) (*engine.CronJob, error) {
	if _, err := appID(ctx, tx, app); err != nil {
		return nil, err
	}
	row := tx.QueryRowContext(ctx, `SELECT `+cronJobColumns+` FROM cron_jobs j JOIN apps a ON a.id = j.app_id
		WHERE a.name = ? AND j.name = ?`, app, name)
	j, err := scanCronJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ENOTFOUND, "app %s has no scheduled job %q: see quayside cron list %s", app, name, app)
	}
	return j, err
}

// ListCronJobs returns app's jobs by name, or every app's when app is "".
func (db *DB) ListCronJobs(ctx context.Context, app string) ([]*engine.CronJob, error) {
	var js []*engine.CronJob
	err := db.view(ctx, "list scheduled jobs", func(tx *sql.Tx) (err error) {
		if app != "" {
			if _, err := appID(ctx, tx, app); err != nil {
				return err
			}
		}
		js, err = listCronJobs(ctx, tx, app)
		return err
	})
	return js, err
}

func listCronJobs(ctx context.Context, tx *sql.Tx, app string) ([]*engine.CronJob, error) {
	q := `SELECT ` + cronJobColumns + ` FROM cron_jobs j JOIN apps a ON a.id = j.app_id`
	var args []any
	if app != "" {
		q += ` WHERE a.name = ?`
		args = append(args, app)
	}
	return queryAll(ctx, tx, "list scheduled jobs", scanCronJob, q+` ORDER BY a.name, j.name`, args...)
}

func scanCronJob(row rowScanner) (*engine.CronJob, error) {
	var j engine.CronJob
	var cmd, created string
	var next sql.NullString
	var timeout int64
	err := row.Scan(&j.ID, &j.App, &j.Name, &j.Schedule, &j.TimeZone, &cmd, &timeout, &j.Overlap,
		&j.Source, &j.Paused, &next, &j.CreatedBy, &created)
	if err != nil {
		return nil, err
	}
	j.Timeout = time.Duration(timeout) * time.Millisecond
	if err := json.Unmarshal([]byte(cmd), &j.Command); err != nil {
		return nil, fmt.Errorf("decode command: %w", err)
	}
	if j.NextRun, err = parseNullTime(next); err != nil {
		return nil, err
	}
	j.CreatedAt, err = parseTime(created)
	return &j, err
}

// RemoveCronJob deletes app's job name and its history.
func (db *DB) RemoveCronJob(ctx context.Context, app, name string) error {
	return db.update(ctx, "remove scheduled job", func(tx *sql.Tx) error {
		j, err := findCronJob(ctx, tx, app, name)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM cron_jobs WHERE id = ?`, j.ID)
		return err
	})
}

// SetCronPaused pauses or resumes app's job name and sets its next slot.
func (db *DB) SetCronPaused(ctx context.Context, app, name string, paused bool, next time.Time) error {
	return db.update(ctx, "pause scheduled job", func(tx *sql.Tx) error {
		j, err := findCronJob(ctx, tx, app, name)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE cron_jobs SET paused = ?, next_run = ? WHERE id = ?`,
			paused, formatNullTime(next), j.ID)
		return err
	})
}
