package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// SaveReleaseCommits records the commits release number of app brought,
// replacing those recorded before, at most engine.MaxPushCommits of them.
func (db *DB) SaveReleaseCommits(ctx context.Context, app string, number int, commits []engine.Commit) error {
	if len(commits) > engine.MaxPushCommits {
		commits = commits[:engine.MaxPushCommits]
	}
	return db.update(ctx, "save release commits", func(tx *sql.Tx) error {
		id, err := releaseID(ctx, tx, app, number)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM release_commits WHERE release_id = ?`, id); err != nil {
			return fmt.Errorf("clear release commits: %w", err)
		}
		const q = `INSERT INTO release_commits (release_id, position, sha, committed_at, authored_at, parents) VALUES (?, ?, ?, ?, ?, ?)`
		for i, c := range commits {
			if _, err := tx.ExecContext(ctx, q, id, i, c.SHA, formatTime(c.Committed), formatTime(c.Authored), c.Parents); err != nil {
				return fmt.Errorf("insert release commit: %w", err)
			}
		}
		return nil
	})
}

// AddReleaseIncident records an incident of kind at the given time for
// release number of app.
func (db *DB) AddReleaseIncident(ctx context.Context, app string, number int, kind string, at time.Time) error {
	if kind == "" {
		return engine.FieldError("kind", "an incident needs a kind")
	}
	return db.update(ctx, "add release incident", func(tx *sql.Tx) error {
		id, err := releaseID(ctx, tx, app, number)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO release_incidents (release_id, kind, at) VALUES (?, ?, ?)`, id, kind, formatTime(at))
		if err != nil {
			return fmt.Errorf("insert release incident: %w", err)
		}
		return nil
	})
}

// ReleaseFacts returns every release of every app created at or after
// since, with its commits and incidents, in no particular order.
func (db *DB) ReleaseFacts(ctx context.Context, since time.Time) ([]*engine.ReleaseFacts, error) {
	var out []*engine.ReleaseFacts
	err := db.view(ctx, "read release facts", func(tx *sql.Tx) error {
		byID, err := factReleases(ctx, tx, since)
		if err != nil {
			return err
		}
		if err := factCommits(ctx, tx, since, byID); err != nil {
			return err
		}
		if err := factIncidents(ctx, tx, since, byID); err != nil {
			return err
		}
		out = make([]*engine.ReleaseFacts, 0, len(byID))
		for _, f := range byID {
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

func releaseID(ctx context.Context, tx *sql.Tx, app string, number int) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT r.id FROM releases r JOIN apps a ON a.id = r.app_id
		WHERE a.name = ? AND r.number = ?`, app, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, releaseNotFound(app, number)
	}
	if err != nil {
		return 0, fmt.Errorf("find release: %w", err)
	}
	return id, nil
}

// factReleases reads the releases created since, by row id.
func factReleases(ctx context.Context, tx *sql.Tx, since time.Time) (map[int64]*engine.ReleaseFacts, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, `+releaseColumns+` WHERE r.created_at >= ?`, formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("query releases: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int64]*engine.ReleaseFacts{}
	for rows.Next() {
		var id int64
		r, err := scanRelease(idScanner{rows, &id})
		if err != nil {
			return nil, fmt.Errorf("scan release: %w", err)
		}
		out[id] = &engine.ReleaseFacts{Release: *r}
	}
	return out, rows.Err()
}

// idScanner scans a leading id column and hands the rest to a scan function.
type idScanner struct {
	rows *sql.Rows
	id   *int64
}

func (s idScanner) Scan(dest ...any) error {
	return s.rows.Scan(append([]any{s.id}, dest...)...)
}

func factCommits(ctx context.Context, tx *sql.Tx, since time.Time, byID map[int64]*engine.ReleaseFacts) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.release_id, c.sha, c.committed_at, c.authored_at, c.parents
		FROM release_commits c JOIN releases r ON r.id = c.release_id
		WHERE r.created_at >= ? ORDER BY c.release_id, c.position`, formatTime(since))
	if err != nil {
		return fmt.Errorf("query release commits: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id int64
		var c engine.Commit
		var committed, authored string
		if err := rows.Scan(&id, &c.SHA, &committed, &authored, &c.Parents); err != nil {
			return fmt.Errorf("scan release commit: %w", err)
		}
		if c.Committed, err = parseTime(committed); err != nil {
			return err
		}
		if c.Authored, err = parseTime(authored); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			f.Commits = append(f.Commits, c)
		}
	}
	return rows.Err()
}

func factIncidents(ctx context.Context, tx *sql.Tx, since time.Time, byID map[int64]*engine.ReleaseFacts) error {
	rows, err := tx.QueryContext(ctx, `SELECT i.release_id, i.kind, i.at
		FROM release_incidents i JOIN releases r ON r.id = i.release_id
		WHERE r.created_at >= ? ORDER BY i.id`, formatTime(since))
	if err != nil {
		return fmt.Errorf("query release incidents: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id int64
		var in engine.Incident
		var at string
		if err := rows.Scan(&id, &in.Kind, &at); err != nil {
			return fmt.Errorf("scan release incident: %w", err)
		}
		if in.At, err = parseTime(at); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			f.Incidents = append(f.Incidents, in)
		}
	}
	return rows.Err()
}
