package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// MaxEventsPerApp bounds the events kept per app; older ones are deleted.
const MaxEventsPerApp = 5000

// AddEvent stores ev and sets its ID, and its Time when zero. An event of an
// app that no longer exists is kept with its name only.
func (db *DB) AddEvent(ctx context.Context, ev *engine.Event) error {
	e := *ev
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	err := db.update(ctx, "add event", func(tx *sql.Tx) error {
		return addEvent(ctx, tx, &e)
	})
	if err != nil {
		return err
	}
	*ev = e
	return nil
}

// ListEvents returns up to limit events of app (every app when ""), newest
// first, with ID below before when before > 0.
func (db *DB) ListEvents(ctx context.Context, app string, before int64, limit int) ([]*engine.Event, error) {
	var evs []*engine.Event
	err := db.view(ctx, "list events", func(tx *sql.Tx) (err error) {
		evs, err = listEvents(ctx, tx, app, before, limit)
		return err
	})
	return evs, err
}

func addEvent(ctx context.Context, tx *sql.Tx, e *engine.Event) error {
	var appID sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id FROM apps WHERE name = ?`, e.App).Scan(&appID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("find app of event: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (app_id, app_name, kind, release, process, message, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, appID, e.App, e.Kind, e.Release, e.Process, e.Message, e.Actor, formatTime(e.Time))
	if err != nil {
		return fmt.Errorf("add event: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM events WHERE app_name = ? AND id <= ?`, e.App, e.ID-MaxEventsPerApp)
	return err
}

func listEvents(ctx context.Context, tx *sql.Tx, app string, before int64, limit int) ([]*engine.Event, error) {
	if limit <= 0 {
		limit = 100
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	q := `SELECT id, app_name, kind, release, process, message, actor, created_at FROM events WHERE id < ?`
	args := []any{before}
	if app != "" {
		q += ` AND app_name = ?`
		args = append(args, app)
	}
	return queryAll(ctx, tx, "list events", scanEvent, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

// MaxReleaseOutputBytes bounds the output kept per release: the start and
// the end are kept, the middle is cut with a marker.
const MaxReleaseOutputBytes = 1 << 20

// SaveReleaseOutput keeps the build output and deploy steps of a release.
func (db *DB) SaveReleaseOutput(ctx context.Context, app string, number int, output string) error {
	output = capOutput(output)
	return db.update(ctx, "save release output", func(tx *sql.Tx) error {
		id, err := releaseRowID(ctx, tx, app, number)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO release_outputs (release_id, output) VALUES (?, ?)
			ON CONFLICT (release_id) DO UPDATE SET output = excluded.output`, id, output)
		return err
	})
}

// ReleaseOutput returns what a release printed; "" when nothing was kept.
func (db *DB) ReleaseOutput(ctx context.Context, app string, number int) (string, error) {
	var out string
	err := db.view(ctx, "release output", func(tx *sql.Tx) error {
		id, err := releaseRowID(ctx, tx, app, number)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT output FROM release_outputs WHERE release_id = ?`, id).Scan(&out)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return out, err
}

func releaseRowID(ctx context.Context, tx *sql.Tx, app string, number int) (int64, error) {
	aid, err := appID(ctx, tx, app)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM releases WHERE app_id = ? AND number = ?`, aid, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, releaseNotFound(app, number)
	}
	return id, err
}

// capOutput keeps the first and last halves of an output that is too long.
func capOutput(s string) string {
	if len(s) <= MaxReleaseOutputBytes {
		return s
	}
	half := MaxReleaseOutputBytes / 2
	return s[:half] + "\n[... output cut: it was longer than 1 MiB ...]\n" + s[len(s)-half:]
}

func scanEvent(row rowScanner) (*engine.Event, error) {
	var e engine.Event
	var created string
	if err := row.Scan(&e.ID, &e.App, &e.Kind, &e.Release, &e.Process, &e.Message, &e.Actor, &created); err != nil {
		return nil, err
	}
	var err error
	e.Time, err = parseTime(created)
	return &e, err
}
