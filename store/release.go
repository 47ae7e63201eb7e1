package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// CreateRelease stores r, assigning the app's next release number (one more
// than its highest, from 1) and CreatedAt. An empty Kind becomes
// engine.KindDeploy and an empty Status engine.ReleaseBuilding. The app,
// a non-zero ConfigVersion and a non-zero RollbackOf must exist (ENOTFOUND).
func (db *DB) CreateRelease(ctx context.Context, r *engine.Release) error {
	rel := withReleaseDefaults(*r)
	if err := validateRelease(&rel); err != nil {
		return err
	}
	rel.CreatedAt = db.now()
	rel.FinishedAt = utc(rel.FinishedAt)
	err := db.update(ctx, "create release", func(tx *sql.Tx) error {
		return createRelease(ctx, tx, &rel)
	})
	if err != nil {
		return err
	}
	*r = rel
	return nil
}

// UpdateRelease writes Status, Image, Port, BuildMethod, Processes, Error and
// FinishedAt of release r.Number of r.App. Making a second release of an
// app active this way is ECONFLICT: use ActivateRelease.
func (db *DB) UpdateRelease(ctx context.Context, r *engine.Release) error {
	if err := validateStatus(r.Status); err != nil {
		return err
	}
	return db.update(ctx, "update release", func(tx *sql.Tx) error {
		return updateRelease(ctx, tx, r)
	})
}

// FindRelease returns release number of app.
func (db *DB) FindRelease(ctx context.Context, app string, number int) (*engine.Release, error) {
	var r *engine.Release
	err := db.view(ctx, "find release", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		r, err = findRelease(ctx, tx, id, app, number)
		return err
	})
	return r, err
}

// ListReleases returns up to limit releases of app, newest first; limit <= 0
// means all.
func (db *DB) ListReleases(ctx context.Context, app string, limit int) ([]*engine.Release, error) {
	var rs []*engine.Release
	err := db.view(ctx, "list releases", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		rs, err = listReleases(ctx, tx, id, limit)
		return err
	})
	return rs, err
}

func withReleaseDefaults(r engine.Release) engine.Release {
	if r.Kind == "" {
		r.Kind = engine.KindDeploy
	}
	if r.Status == "" {
		r.Status = engine.ReleaseBuilding
	}
	return r
}

func validateRelease(r *engine.Release) error {
	switch r.Kind {
	case engine.KindDeploy, engine.KindConfig, engine.KindRollback:
		if r.PromotedFrom != "" || r.PromotedRelease != 0 {
			return engine.FieldError("promoted_from", "only a promotion names the app it was promoted from")
		}
	case engine.KindPromote:
		if r.PromotedFrom == "" || r.PromotedRelease <= 0 {
			return engine.FieldError("promoted_from", "a promotion names the app and release it was promoted from")
		}
	default:
		return engine.FieldError("kind", "release kind %q is not one of deploy, config, rollback, promote", r.Kind)
	}
	if r.ConfigVersion < 0 || r.RollbackOf < 0 || r.Port < 0 || r.PromotedRelease < 0 {
		return engine.FieldError("release", "release numbers and ports cannot be negative")
	}
	return validateStatus(r.Status)
}

func validateStatus(s string) error {
	switch s {
	case engine.ReleaseBuilding, engine.ReleaseDeploying, engine.ReleaseActive,
		engine.ReleaseRetired, engine.ReleaseFailed:
		return nil
	}
	return engine.FieldError("status", "release status %q is not one of building, deploying, active, retired, failed", s)
}

// utc is t in UTC without a monotonic reading, as it reads back.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func createRelease(ctx context.Context, tx *sql.Tx, r *engine.Release) error {
	id, err := appID(ctx, tx, r.App)
	if err != nil {
		return err
	}
	if err := checkConfigVersion(ctx, tx, id, r.App, r.ConfigVersion); err != nil {
		return err
	}
	if r.RollbackOf != 0 {
		if _, err := findRelease(ctx, tx, id, r.App, r.RollbackOf); err != nil {
			return err
		}
	}
	if r.Number, err = nextReleaseNumber(ctx, tx, id); err != nil {
		return err
	}
	return insertRelease(ctx, tx, id, r)
}

// nextReleaseNumber is one more than the app's highest release number. The
// write transaction holds the database's write lock, so no other
// transaction can take the same number.
func nextReleaseNumber(ctx context.Context, tx *sql.Tx, appID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM releases WHERE app_id = ?`, appID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next release number: %w", err)
	}
	return n, nil
}

func insertRelease(ctx context.Context, tx *sql.Tx, appID int64, r *engine.Release) error {
	procs, err := encodeProcesses(r.Processes)
	if err != nil {
		return err
	}
	const q = `INSERT INTO releases (app_id, number, kind, status, description, image,
		port, build_method, processes, commit_sha, author, config_version, rollback_of, error,
		created_at, finished_at, promoted_from, promoted_release)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err = tx.ExecContext(ctx, q, appID, r.Number, storedKind(r.Kind), r.Status, r.Description, r.Image,
		r.Port, r.BuildMethod, procs, r.Commit, r.Author, r.ConfigVersion, r.RollbackOf, r.Error,
		formatTime(r.CreatedAt), formatNullTime(r.FinishedAt), r.PromotedFrom, r.PromotedRelease)
	if isUnique(err) && r.Status == engine.ReleaseActive {
		return anotherActive(r.App, r.Number)
	}
	return err
}

func updateRelease(ctx context.Context, tx *sql.Tx, r *engine.Release) error {
	id, err := appID(ctx, tx, r.App)
	if err != nil {
		return err
	}
	procs, err := encodeProcesses(r.Processes)
	if err != nil {
		return err
	}
	const q = `UPDATE releases SET status = ?, image = ?, port = ?, build_method = ?,
		processes = ?, error = ?, finished_at = ? WHERE app_id = ? AND number = ?`
	res, err := tx.ExecContext(ctx, q, r.Status, r.Image, r.Port, r.BuildMethod,
		procs, r.Error, formatNullTime(r.FinishedAt), id, r.Number)
	if isUnique(err) {
		return anotherActive(r.App, r.Number)
	}
	if err != nil {
		return fmt.Errorf("update release: %w", err)
	}
	return mustHaveChanged(res, releaseNotFound(r.App, r.Number))
}

func anotherActive(app string, number int) error {
	return engine.Errorf(engine.ECONFLICT, "release %d of app %q cannot become active while another release of the app is active", number, app)
}

const releaseSelect = `SELECT ` + releaseColumns

// releaseColumns are the columns scanRelease reads, with the FROM clause.
const releaseColumns = `a.name, r.number, r.kind, r.status, r.description,
	r.image, r.port, r.build_method, r.processes, r.commit_sha, r.author, r.config_version,
	r.rollback_of, r.error, r.created_at, r.finished_at, r.promoted_from, r.promoted_release
	FROM releases r JOIN apps a ON a.id = r.app_id`

func findRelease(ctx context.Context, tx *sql.Tx, appID int64, app string, number int) (*engine.Release, error) {
	row := tx.QueryRowContext(ctx, releaseSelect+` WHERE r.app_id = ? AND r.number = ?`, appID, number)
	r, err := scanRelease(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, releaseNotFound(app, number)
	}
	return r, err
}

func listReleases(ctx context.Context, tx *sql.Tx, appID int64, limit int) ([]*engine.Release, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return queryReleases(ctx, tx, releaseSelect+` WHERE r.app_id = ? ORDER BY r.number DESC LIMIT ?`, appID, limit)
}

func queryReleases(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]*engine.Release, error) {
	return queryAll(ctx, tx, "query releases", scanRelease, q, args...)
}

func scanRelease(row rowScanner) (*engine.Release, error) {
	var r engine.Release
	var created, procs string
	var finished sql.NullString
	err := row.Scan(&r.App, &r.Number, &r.Kind, &r.Status, &r.Description,
		&r.Image, &r.Port, &r.BuildMethod, &procs, &r.Commit, &r.Author, &r.ConfigVersion,
		&r.RollbackOf, &r.Error, &created, &finished, &r.PromotedFrom, &r.PromotedRelease)
	if err != nil {
		return nil, err
	}
	if r.PromotedFrom != "" {
		r.Kind = engine.KindPromote
	}
	if r.Processes, err = decodeProcesses(procs); err != nil {
		return nil, err
	}
	if r.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	r.FinishedAt, err = parseNullTime(finished)
	return &r, err
}

// storedKind is the kind column's value for kind: the column's CHECK
// predates promotions, which are stored as deploys with promoted_from set
// (migration 0010_promotion) and read back as engine.KindPromote.
func storedKind(kind string) string {
	if kind == engine.KindPromote {
		return engine.KindDeploy
	}
	return kind
}
