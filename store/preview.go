package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quayside/quayside/engine"
)

var _ engine.PreviewStore = (*DB)(nil)

// PreviewSettings implements engine.PreviewStore: ENOTFOUND when app has
// previews off (or does not exist).
func (db *DB) PreviewSettings(ctx context.Context, app string) (*engine.PreviewSettings, error) {
	var s *engine.PreviewSettings
	err := db.view(ctx, "read preview settings", func(tx *sql.Tx) error {
		const q = `SELECT s.ttl_ms, s.max_previews, s.auth_user, s.auth_hash, s.updated_at
			FROM preview_settings s JOIN apps a ON a.id = s.app_id WHERE a.name = ?`
		var ttl int64
		var updated string
		st := engine.PreviewSettings{App: app}
		err := tx.QueryRowContext(ctx, q, app).Scan(&ttl, &st.Max, &st.AuthUser, &st.AuthHash, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return engine.Errorf(engine.ENOTFOUND, "app %s does not have previews: enable them with `quayside previews enable %s`", app, app)
		}
		if err != nil {
			return fmt.Errorf("read preview settings: %w", err)
		}
		st.TTL = time.Duration(ttl) * time.Millisecond
		st.UpdatedAt, err = parseTime(updated)
		s = &st
		return err
	})
	return s, err
}

// SetPreviewSettings implements engine.PreviewStore.
func (db *DB) SetPreviewSettings(ctx context.Context, s *engine.PreviewSettings) error {
	if s.TTL <= 0 || s.Max <= 0 {
		return engine.Errorf(engine.EINVALID, "preview settings need a positive TTL and maximum")
	}
	now := db.now()
	err := db.update(ctx, "set preview settings", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, s.App)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO preview_settings (app_id, ttl_ms, max_previews, auth_user, auth_hash, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app_id) DO UPDATE SET ttl_ms = excluded.ttl_ms,
			max_previews = excluded.max_previews, auth_user = excluded.auth_user, auth_hash = excluded.auth_hash,
			updated_at = excluded.updated_at`,
			id, s.TTL.Milliseconds(), s.Max, s.AuthUser, s.AuthHash, formatTime(now))
		return err
	})
	if err == nil {
		s.UpdatedAt = now
	}
	return err
}

// DeletePreviewSettings implements engine.PreviewStore.
func (db *DB) DeletePreviewSettings(ctx context.Context, app string) error {
	return db.update(ctx, "delete preview settings", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM preview_settings WHERE app_id = ?`, id)
		return err
	})
}

// CreatePreview implements engine.PreviewStore.
func (db *DB) CreatePreview(ctx context.Context, p *engine.Preview) error {
	now := db.now()
	err := db.update(ctx, "create preview", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, p.Name)
		if err != nil {
			return err
		}
		parent, err := appID(ctx, tx, p.App)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO previews (app_id, parent_id, branch, commit_sha, created_at, pushed_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, parent, p.Branch, p.Commit, formatTime(now), formatTime(now))
		if isUnique(err) {
			return engine.Errorf(engine.ECONFLICT, "branch %q of %s has a preview already", p.Branch, p.App)
		}
		return err
	})
	if err == nil {
		p.CreatedAt, p.PushedAt = now, now
	}
	return err
}

const previewQuery = `SELECT pa.name, a.name, p.branch, p.commit_sha, p.created_at, p.pushed_at
	FROM previews p JOIN apps pa ON pa.id = p.app_id JOIN apps a ON a.id = p.parent_id`

// FindPreview implements engine.PreviewStore.
func (db *DB) FindPreview(ctx context.Context, name string) (*engine.Preview, error) {
	return db.findPreview(ctx, previewQuery+` WHERE pa.name = ?`, name)
}

// FindPreviewOf implements engine.PreviewStore.
func (db *DB) FindPreviewOf(ctx context.Context, app, branch string) (*engine.Preview, error) {
	return db.findPreview(ctx, previewQuery+` WHERE a.name = ? AND p.branch = ?`, app, branch)
}

func (db *DB) findPreview(ctx context.Context, q string, args ...any) (*engine.Preview, error) {
	var p *engine.Preview
	err := db.view(ctx, "find preview", func(tx *sql.Tx) (err error) {
		p, err = scanPreview(tx.QueryRowContext(ctx, q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return engine.Errorf(engine.ENOTFOUND, "preview not found")
		}
		return err
	})
	return p, err
}

// ListPreviews implements engine.PreviewStore.
func (db *DB) ListPreviews(ctx context.Context, app string) ([]*engine.Preview, error) {
	var ps []*engine.Preview
	err := db.view(ctx, "list previews", func(tx *sql.Tx) (err error) {
		if app == "" {
			ps, err = queryAll(ctx, tx, "list previews", scanPreview, previewQuery+` ORDER BY p.pushed_at, pa.name`)
			return err
		}
		if _, err := appID(ctx, tx, app); err != nil {
			return err
		}
		ps, err = queryAll(ctx, tx, "list previews", scanPreview, previewQuery+` WHERE a.name = ? ORDER BY p.pushed_at, pa.name`, app)
		return err
	})
	return ps, err
}

func scanPreview(row rowScanner) (*engine.Preview, error) {
	var p engine.Preview
	var created, pushed string
	if err := row.Scan(&p.Name, &p.App, &p.Branch, &p.Commit, &created, &pushed); err != nil {
		return nil, err
	}
	var err error
	if p.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	p.PushedAt, err = parseTime(pushed)
	return &p, err
}

// TouchPreview implements engine.PreviewStore.
func (db *DB) TouchPreview(ctx context.Context, name, commit string, at time.Time) error {
	return db.update(ctx, "touch preview", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE previews SET commit_sha = ?, pushed_at = ?
			WHERE app_id = (SELECT id FROM apps WHERE name = ?)`, commit, formatTime(at), name)
		if err != nil {
			return fmt.Errorf("touch preview: %w", err)
		}
		return mustHaveChanged(res, engine.Errorf(engine.ENOTFOUND, "preview %q not found", name))
	})
}
