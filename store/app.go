package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

// CreateApp stores a new app and sets its CreatedAt. An empty DeployBranch
// becomes engine.DefaultDeployBranch and an empty State engine.AppActive;
// CurrentRelease and ConfigVersion start at 0. Health durations are kept to
// the millisecond. A taken name is ECONFLICT.
func (db *DB) CreateApp(ctx context.Context, app *engine.App) error {
	a := withAppDefaults(*app)
	if err := validateApp(&a); err != nil {
		return err
	}
	a.CurrentRelease, a.ConfigVersion, a.CreatedAt = 0, 0, db.now()
	err := db.update(ctx, "create app", func(tx *sql.Tx) error {
		return createApp(ctx, tx, &a)
	})
	if err != nil {
		return err
	}
	*app = a
	return nil
}

// FindApp returns the app called name, ENOTFOUND if there is none.
func (db *DB) FindApp(ctx context.Context, name string) (*engine.App, error) {
	var app *engine.App
	err := db.view(ctx, "find app", func(tx *sql.Tx) (err error) {
		app, err = findApp(ctx, tx, name)
		return err
	})
	return app, err
}

// ListApps returns all apps ordered by name.
func (db *DB) ListApps(ctx context.Context) ([]*engine.App, error) {
	var apps []*engine.App
	err := db.view(ctx, "list apps", func(tx *sql.Tx) (err error) {
		apps, err = listApps(ctx, tx)
		return err
	})
	return apps, err
}

// UpdateApp writes DeployBranch, State, Health, Scale, Builder and Edge, with the same defaults
// as CreateApp. CurrentRelease and ConfigVersion change only through
// ActivateRelease and SetAppConfigVersion.
func (db *DB) UpdateApp(ctx context.Context, app *engine.App) error {
	a := withAppDefaults(*app)
	if err := validateApp(&a); err != nil {
		return err
	}
	err := db.update(ctx, "update app", func(tx *sql.Tx) error {
		return updateApp(ctx, tx, &a)
	})
	if err != nil {
		return err
	}
	app.DeployBranch, app.State = a.DeployBranch, a.State
	return nil
}

// DeleteApp removes the app with its releases and config versions.
func (db *DB) DeleteApp(ctx context.Context, name string) error {
	return db.update(ctx, "delete app", func(tx *sql.Tx) error {
		return deleteApp(ctx, tx, name)
	})
}

func withAppDefaults(a engine.App) engine.App {
	if a.DeployBranch == "" {
		a.DeployBranch = engine.DefaultDeployBranch
	}
	if a.State == "" {
		a.State = engine.AppActive
	}
	return a
}

func validateApp(a *engine.App) error {
	switch {
	case a.Name == "":
		return engine.FieldError("name", "app name is empty")
	case a.State != engine.AppActive && a.State != engine.AppDestroying:
		return engine.FieldError("state", "app state %q is not one of %q, %q", a.State, engine.AppActive, engine.AppDestroying)
	}
	return nil
}

// appID is the row id of the app called name, ENOTFOUND if there is none.
func appID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM apps WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, appNotFound(name)
	}
	if err != nil {
		return 0, fmt.Errorf("find app: %w", err)
	}
	return id, nil
}

func createApp(ctx context.Context, tx *sql.Tx, a *engine.App) error {
	var taken bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM apps WHERE name = ?)`, a.Name).Scan(&taken)
	if err != nil {
		return fmt.Errorf("check app name: %w", err)
	}
	if taken {
		return appExists(a.Name)
	}
	scale, err := encodeScale(a.Scale)
	if err != nil {
		return err
	}
	const q = `INSERT INTO apps (name, deploy_branch, state, health_path,
		health_timeout_ms, drain_timeout_ms, release_timeout_ms, scale, builder,
		https_redirect, hsts, basic_auth_user, basic_auth_hash, maintenance, maintenance_page,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	e := a.Edge
	_, err = tx.ExecContext(ctx, q, a.Name, a.DeployBranch, a.State, a.Health.Path,
		a.Health.Timeout.Milliseconds(), a.Health.DrainTimeout.Milliseconds(),
		a.Health.ReleaseTimeout.Milliseconds(), scale, a.Builder,
		e.HTTPSRedirect, e.HSTS, e.BasicAuthUser, e.BasicAuthHash, e.Maintenance, e.MaintenancePage,
		formatTime(a.CreatedAt), a.CreatedBy)
	if isUnique(err) {
		return appExists(a.Name)
	}
	return err
}

func appExists(name string) error {
	return engine.Errorf(engine.ECONFLICT, "app %q already exists", name)
}

const appColumns = `name, deploy_branch, state, current_release, config_version,
	health_path, health_timeout_ms, drain_timeout_ms, release_timeout_ms, scale, builder,
	https_redirect, hsts, basic_auth_user, basic_auth_hash, maintenance, maintenance_page,
	created_at, created_by`

func findApp(ctx context.Context, tx *sql.Tx, name string) (*engine.App, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE name = ?`, name)
	app, err := scanApp(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, appNotFound(name)
	}
	return app, err
}

func listApps(ctx context.Context, tx *sql.Tx) ([]*engine.App, error) {
	return queryAll(ctx, tx, "list apps", scanApp, `SELECT `+appColumns+` FROM apps ORDER BY name`)
}

func scanApp(row rowScanner) (*engine.App, error) {
	var a engine.App
	var timeoutMS, drainMS, releaseMS int64
	var created, scale string
	err := row.Scan(&a.Name, &a.DeployBranch, &a.State, &a.CurrentRelease, &a.ConfigVersion,
		&a.Health.Path, &timeoutMS, &drainMS, &releaseMS, &scale, &a.Builder,
		&a.Edge.HTTPSRedirect, &a.Edge.HSTS, &a.Edge.BasicAuthUser, &a.Edge.BasicAuthHash,
		&a.Edge.Maintenance, &a.Edge.MaintenancePage, &created, &a.CreatedBy)
	if err != nil {
		return nil, err
	}
	a.Health.Timeout = time.Duration(timeoutMS) * time.Millisecond
	a.Health.DrainTimeout = time.Duration(drainMS) * time.Millisecond
	a.Health.ReleaseTimeout = time.Duration(releaseMS) * time.Millisecond
	if a.Scale, err = decodeScale(scale); err != nil {
		return nil, err
	}
	a.CreatedAt, err = parseTime(created)
	return &a, err
}

func updateApp(ctx context.Context, tx *sql.Tx, a *engine.App) error {
	scale, err := encodeScale(a.Scale)
	if err != nil {
		return err
	}
	const q = `UPDATE apps SET deploy_branch = ?, state = ?, health_path = ?,
		health_timeout_ms = ?, drain_timeout_ms = ?, release_timeout_ms = ?, scale = ?,
		builder = ?, https_redirect = ?, hsts = ?, basic_auth_user = ?, basic_auth_hash = ?,
		maintenance = ?, maintenance_page = ? WHERE name = ?`
	e := a.Edge
	res, err := tx.ExecContext(ctx, q, a.DeployBranch, a.State, a.Health.Path,
		a.Health.Timeout.Milliseconds(), a.Health.DrainTimeout.Milliseconds(),
		a.Health.ReleaseTimeout.Milliseconds(), scale, a.Builder,
		e.HTTPSRedirect, e.HSTS, e.BasicAuthUser, e.BasicAuthHash, e.Maintenance, e.MaintenancePage, a.Name)
	if err != nil {
		return fmt.Errorf("update app: %w", err)
	}
	return mustHaveChanged(res, appNotFound(a.Name))
}

func deleteApp(ctx context.Context, tx *sql.Tx, name string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM apps WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	return mustHaveChanged(res, appNotFound(name))
}
