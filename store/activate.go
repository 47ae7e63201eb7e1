package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// ActivateRelease, in one transaction, marks release number of app active
// with FinishedAt=at, marks the app's previously active release retired,
// and sets the app's CurrentRelease and ConfigVersion to the release's. A
// failed release cannot be activated (ECONFLICT): it never served traffic.
func (db *DB) ActivateRelease(ctx context.Context, app string, number int, at time.Time) error {
	return db.update(ctx, "activate release", func(tx *sql.Tx) error {
		return activateRelease(ctx, tx, app, number, at)
	})
}

// FailUnfinishedReleases marks every building or deploying release failed
// with Error=reason and FinishedAt=at, and returns them as they now are,
// ordered by app name and number. It is meant for start-up, when no deploy
// can be in progress.
func (db *DB) FailUnfinishedReleases(ctx context.Context, reason string, at time.Time) ([]*engine.Release, error) {
	var rs []*engine.Release
	err := db.update(ctx, "fail unfinished releases", func(tx *sql.Tx) (err error) {
		rs, err = failUnfinishedReleases(ctx, tx, reason, at)
		return err
	})
	return rs, err
}

func activateRelease(ctx context.Context, tx *sql.Tx, app string, number int, at time.Time) error {
	id, err := appID(ctx, tx, app)
	if err != nil {
		return err
	}
	r, err := findRelease(ctx, tx, id, app, number)
	if err != nil {
		return err
	}
	if r.Status == engine.ReleaseFailed {
		return engine.Errorf(engine.ECONFLICT, "release %d of app %q failed and cannot be activated: deploy again or roll back to a release that worked", number, app)
	}
	if err := retireActive(ctx, tx, id, number); err != nil {
		return err
	}
	if err := markActive(ctx, tx, id, number, at); err != nil {
		return err
	}
	return setCurrent(ctx, tx, id, r.Number, r.ConfigVersion)
}

// retireActive retires the app's active release unless it is number.
func retireActive(ctx context.Context, tx *sql.Tx, appID int64, number int) error {
	const q = `UPDATE releases SET status = 'retired'
		WHERE app_id = ? AND status = 'active' AND number <> ?`
	if _, err := tx.ExecContext(ctx, q, appID, number); err != nil {
		return fmt.Errorf("retire active release: %w", err)
	}
	return nil
}

func markActive(ctx context.Context, tx *sql.Tx, appID int64, number int, at time.Time) error {
	const q = `UPDATE releases SET status = 'active', finished_at = ? WHERE app_id = ? AND number = ?`
	if _, err := tx.ExecContext(ctx, q, formatTime(at), appID, number); err != nil {
		return fmt.Errorf("mark release active: %w", err)
	}
	return nil
}

func setCurrent(ctx context.Context, tx *sql.Tx, appID int64, release, configVersion int) error {
	const q = `UPDATE apps SET current_release = ?, config_version = ? WHERE id = ?`
	if _, err := tx.ExecContext(ctx, q, release, configVersion, appID); err != nil {
		return fmt.Errorf("set current release: %w", err)
	}
	return nil
}

func failUnfinishedReleases(ctx context.Context, tx *sql.Tx, reason string, at time.Time) ([]*engine.Release, error) {
	const where = ` WHERE r.status IN ('building', 'deploying') ORDER BY a.name, r.number`
	rs, err := queryReleases(ctx, tx, releaseSelect+where)
	if err != nil {
		return nil, err
	}
	const q = `UPDATE releases SET status = 'failed', error = ?, finished_at = ?
		WHERE status IN ('building', 'deploying')`
	if _, err := tx.ExecContext(ctx, q, reason, formatTime(at)); err != nil {
		return nil, fmt.Errorf("fail unfinished releases: %w", err)
	}
	for _, r := range rs {
		r.Status, r.Error, r.FinishedAt = engine.ReleaseFailed, reason, at.UTC()
	}
	return rs, nil
}
