package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// ClaimCronSlot moves job jobID's next slot from slot to next and records
// run, in one transaction, only while the job still waits for slot and is
// not paused; otherwise it returns ECONFLICT and records nothing.
func (db *DB) ClaimCronSlot(ctx context.Context, jobID int64, slot, next time.Time, run *engine.CronRun) error {
	r := *run
	r.Slot = slot
	err := db.update(ctx, "claim scheduled slot", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cron_jobs SET next_run = ? WHERE id = ? AND next_run = ? AND paused = 0`,
			formatNullTime(next), jobID, formatTime(slot))
		if err != nil {
			return fmt.Errorf("move next slot: %w", err)
		}
		err = mustHaveChanged(res, engine.Errorf(engine.ECONFLICT, "the slot %s of job %d is claimed already", formatTime(slot), jobID))
		if err != nil {
			return err
		}
		return insertCronRun(ctx, tx, jobID, &r)
	})
	if err != nil {
		return err
	}
	*run = r
	return nil
}

// AddCronRun records run of job jobID and sets its ID.
func (db *DB) AddCronRun(ctx context.Context, jobID int64, run *engine.CronRun) error {
	r := *run
	err := db.update(ctx, "record scheduled run", func(tx *sql.Tx) error {
		return insertCronRun(ctx, tx, jobID, &r)
	})
	if err != nil {
		return err
	}
	*run = r
	return nil
}

// insertCronRun records r and keeps only the job's newest
// engine.MaxCronHistory runs.
func insertCronRun(ctx context.Context, tx *sql.Tx, jobID int64, r *engine.CronRun) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO cron_runs (job_id, slot, trigger, status, exit_code, message,
		started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		jobID, formatNullTime(r.Slot), r.Trigger, r.Status, r.ExitCode, r.Message,
		formatTime(r.StartedAt), formatNullTime(r.FinishedAt))
	if isUnique(err) {
		return engine.Errorf(engine.ECONFLICT, "the slot %s of job %d was run already", formatTime(r.Slot), jobID)
	}
	if err != nil {
		return fmt.Errorf("insert scheduled run: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM cron_runs WHERE job_id = ? AND id <= (SELECT id FROM cron_runs
		WHERE job_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, jobID, jobID, engine.MaxCronHistory)
	if err != nil {
		return fmt.Errorf("trim scheduled runs: %w", err)
	}
	return nil
}

// UpdateCronRun records run's status, exit code, message and times.
func (db *DB) UpdateCronRun(ctx context.Context, run *engine.CronRun) error {
	return db.update(ctx, "update scheduled run", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cron_runs SET status = ?, exit_code = ?, message = ?, started_at = ?,
			finished_at = ? WHERE id = ?`, run.Status, run.ExitCode, run.Message, formatTime(run.StartedAt),
			formatNullTime(run.FinishedAt), run.ID)
		return err
	})
}

// InterruptCronRuns marks the runs still recorded as running or queued as
// interrupted at at and returns how many there were.
func (db *DB) InterruptCronRuns(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := db.update(ctx, "interrupt scheduled runs", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cron_runs SET status = ?, finished_at = ?,
			message = 'the server stopped during the run' WHERE status IN (?, ?)`,
			engine.CronInterrupted, formatTime(at), engine.CronRunning, engine.CronQueued)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// ListCronRuns returns up to limit runs of app's jobs (of job alone unless
// it is ""), newest first.
func (db *DB) ListCronRuns(ctx context.Context, app, job string, limit int) ([]*engine.CronRun, error) {
	var runs []*engine.CronRun
	err := db.view(ctx, "list scheduled runs", func(tx *sql.Tx) (err error) {
		if job != "" {
			_, err = findCronJob(ctx, tx, app, job)
		} else {
			_, err = appID(ctx, tx, app)
		}
		if err != nil {
			return err
		}
		runs, err = queryAll(ctx, tx, "list scheduled runs", scanCronRun, `SELECT r.id, a.name, j.name, r.slot,
			r.trigger, r.status, r.exit_code, r.message, r.started_at, r.finished_at
			FROM cron_runs r JOIN cron_jobs j ON j.id = r.job_id JOIN apps a ON a.id = j.app_id
			WHERE a.name = ? AND (? = '' OR j.name = ?) ORDER BY r.id DESC LIMIT ?`, app, job, job, limit)
		return err
	})
	return runs, err
}

func scanCronRun(row rowScanner) (*engine.CronRun, error) {
	var r engine.CronRun
	var slot, finished sql.NullString
	var started string
	err := row.Scan(&r.ID, &r.App, &r.Job, &slot, &r.Trigger, &r.Status, &r.ExitCode, &r.Message, &started, &finished)
	if err != nil {
		return nil, err
	}
	if r.Slot, err = parseNullTime(slot); err != nil {
		return nil, err
	}
	if r.StartedAt, err = parseTime(started); err != nil {
		return nil, err
	}
	r.FinishedAt, err = parseNullTime(finished)
	return &r, err
}
