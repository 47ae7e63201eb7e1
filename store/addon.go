package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/quayside/quayside/engine"
)

const addonColumns = `d.id, a.name, d.name, d.kind, d.version, d.image, d.memory_bytes, d.db_user, d.db_name,
	d.password, d.volume, d.old_volumes, d.expose_addr, d.keep, d.last_backup, d.created_by, d.created_at`

// addonAAD binds an add-on's sealed password to its owner and name.
func addonAAD(app, name string) []byte {
	return fmt.Appendf(nil, "quayside/addon/v1\x00%s\x00%s", app, name)
}

// CreateAddon implements engine.AddonStore.
func (db *DB) CreateAddon(ctx context.Context, a *engine.Addon) error {
	created := db.now()
	err := db.update(ctx, "create add-on", func(tx *sql.Tx) error {
		appID, err := appID(ctx, tx, a.App)
		if err != nil {
			return err
		}
		if err := checkAddonRoom(ctx, tx, appID, a.App); err != nil {
			return err
		}
		id, err := db.insertAddon(ctx, tx, appID, a, created)
		if err != nil {
			return err
		}
		return insertAttachments(ctx, tx, id, a.Attachments)
	})
	if err != nil {
		return err
	}
	a.CreatedAt = created
	return nil
}

func checkAddonRoom(ctx context.Context, tx *sql.Tx, appID int64, app string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM addons WHERE app_id = ?`, appID).Scan(&n); err != nil {
		return fmt.Errorf("count add-ons: %w", err)
	}
	if n >= engine.MaxAddonsPerApp {
		return engine.Errorf(engine.EINVALID, "app %s has %d add-ons, the most an app may have: destroy one first", app, n)
	}
	return nil
}

func (db *DB) insertAddon(ctx context.Context, tx *sql.Tx, appID int64, a *engine.Addon, created time.Time) (int64, error) {
	old, err := json.Marshal(nonNil(a.OldVolumes))
	if err != nil {
		return 0, fmt.Errorf("encode volumes: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO addons (app_id, name, kind, version, image, memory_bytes, db_user, db_name,
		password, volume, old_volumes, expose_addr, keep, last_backup, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		appID, a.Name, a.Kind, a.Version, a.Image, a.MemoryBytes, a.User, a.Database,
		seal(db.aead, []byte(a.Password), addonAAD(a.App, a.Name)), a.Volume, string(old), a.ExposeAddr, a.Keep,
		formatNullTime(a.LastBackup), a.CreatedBy, formatTime(created))
	if err != nil {
		var e *engine.Error
		if errors.As(mapError(err, "create add-on"), &e) && e.Code == engine.ECONFLICT {
			return 0, engine.Errorf(engine.ECONFLICT, "app %s already has an add-on named %s: choose another --name", a.App, a.Name)
		}
		return 0, fmt.Errorf("insert add-on: %w", err)
	}
	return res.LastInsertId()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// insertAttachments stores the attachments of add-on id.
func insertAttachments(ctx context.Context, tx *sql.Tx, id int64, list []engine.AddonAttachment) error {
	for _, at := range list {
		appID, err := appID(ctx, tx, at.App)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO addon_attachments (addon_id, app_id, var) VALUES (?, ?, ?)`, id, appID, at.Var)
		if err != nil {
			var e *engine.Error
			if errors.As(mapError(err, "attach add-on"), &e) && e.Code == engine.ECONFLICT {
				return engine.Errorf(engine.ECONFLICT, "app %s already gets an add-on in %s", at.App, at.Var)
			}
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
	return nil
}

// FindAddon implements engine.AddonStore.
func (db *DB) FindAddon(ctx context.Context, app, name string) (*engine.Addon, error) {
	var out *engine.Addon
	err := db.view(ctx, "find add-on", func(tx *sql.Tx) error {
		list, err := db.queryAddons(ctx, tx, `WHERE a.name = ? AND d.name = ?`, app, name)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return engine.Errorf(engine.ENOTFOUND, "app %s has no add-on %s", app, name)
		}
		out = list[0]
		return nil
	})
	return out, err
}

// ListAddons implements engine.AddonStore.
func (db *DB) ListAddons(ctx context.Context, app string) ([]*engine.Addon, error) {
	var out []*engine.Addon
	err := db.view(ctx, "list add-ons", func(tx *sql.Tx) (err error) {
		if app == "" {
			out, err = db.queryAddons(ctx, tx, ``)
			return err
		}
		out, err = db.queryAddons(ctx, tx, `WHERE d.id IN (SELECT t.addon_id FROM addon_attachments t
			JOIN apps b ON b.id = t.app_id WHERE b.name = ?) OR a.name = ?`, app, app)
		return err
	})
	return out, err
}

// queryAddons returns the add-ons where selects, ordered by owner and name,
// with their attachments.
func (db *DB) queryAddons(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*engine.Addon, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+addonColumns+` FROM addons d JOIN apps a ON a.id = d.app_id `+where+
		` ORDER BY a.name, d.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("query add-ons: %w", err)
	}
	defer rows.Close()
	var ids []int64
	out := []*engine.Addon{}
	for rows.Next() {
		id, a, err := db.scanAddon(rows)
		if err != nil {
			return nil, err
		}
		ids, out = append(ids, id), append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read add-ons: %w", err)
	}
	for i, id := range ids {
		if out[i].Attachments, err = listAttachments(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) scanAddon(r rowScanner) (int64, *engine.Addon, error) {
	var (
		a            engine.Addon
		id           int64
		sealed       []byte
		old, created string
		last         sql.NullString
	)
	err := r.Scan(&id, &a.App, &a.Name, &a.Kind, &a.Version, &a.Image, &a.MemoryBytes, &a.User, &a.Database,
		&sealed, &a.Volume, &old, &a.ExposeAddr, &a.Keep, &last, &a.CreatedBy, &created)
	if err != nil {
		return 0, nil, fmt.Errorf("scan add-on: %w", err)
	}
	pw, err := unseal(db.aead, sealed, addonAAD(a.App, a.Name))
	if err != nil {
		return 0, nil, engine.Errorf(engine.EINTERNAL,
			"the password of add-on %s of %s cannot be decrypted: it was stored under another encryption key or the database is damaged; restore the original key file or the database from a backup", a.Name, a.App)
	}
	a.Password = string(pw)
	if err := json.Unmarshal([]byte(old), &a.OldVolumes); err != nil {
		return 0, nil, fmt.Errorf("decode volumes: %w", err)
	}
	if a.LastBackup, err = parseNullTime(last); err != nil {
		return 0, nil, err
	}
	if a.CreatedAt, err = parseTime(created); err != nil {
		return 0, nil, err
	}
	return id, &a, nil
}

// listAttachments returns add-on id's attachments, the owner's first.
func listAttachments(ctx context.Context, tx *sql.Tx, id int64) ([]engine.AddonAttachment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT b.name, t.var FROM addon_attachments t JOIN apps b ON b.id = t.app_id
		JOIN addons d ON d.id = t.addon_id WHERE t.addon_id = ? ORDER BY b.id <> d.app_id, b.name`, id)
	if err != nil {
		return nil, fmt.Errorf("query attachments: %w", err)
	}
	defer rows.Close()
	out := []engine.AddonAttachment{}
	for rows.Next() {
		var at engine.AddonAttachment
		if err := rows.Scan(&at.App, &at.Var); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

// UpdateAddon implements engine.AddonStore. The owner and name never change.
func (db *DB) UpdateAddon(ctx context.Context, list ...*engine.Addon) error {
	return db.update(ctx, "update add-on", func(tx *sql.Tx) error {
		ids := make([]int64, len(list))
		for i, a := range list {
			id, err := updateAddon(ctx, tx, a)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		for i, a := range list {
			if err := insertAttachments(ctx, tx, ids[i], a.Attachments); err != nil {
				return err
			}
		}
		return nil
	})
}

// updateAddon saves a's fields and removes its attachments (UpdateAddon
// inserts them again once every add-on has given up its own, so that two
// add-ons may swap variables).
func updateAddon(ctx context.Context, tx *sql.Tx, a *engine.Addon) (int64, error) {
	id, err := addonID(ctx, tx, a.App, a.Name)
	if err != nil {
		return 0, err
	}
	old, err := json.Marshal(nonNil(slices.Clone(a.OldVolumes)))
	if err != nil {
		return 0, fmt.Errorf("encode volumes: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE addons SET version = ?, image = ?, memory_bytes = ?, volume = ?, old_volumes = ?,
		expose_addr = ?, keep = ?, last_backup = ? WHERE id = ?`,
		a.Version, a.Image, a.MemoryBytes, a.Volume, string(old), a.ExposeAddr, a.Keep, formatNullTime(a.LastBackup), id)
	if err != nil {
		return 0, fmt.Errorf("update add-on: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM addon_attachments WHERE addon_id = ?`, id); err != nil {
		return 0, fmt.Errorf("replace attachments: %w", err)
	}
	return id, nil
}

// DeleteAddon implements engine.AddonStore. A missing add-on is not an error.
func (db *DB) DeleteAddon(ctx context.Context, app, name string) error {
	return db.update(ctx, "delete add-on", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM addons WHERE name = ? AND app_id = (SELECT id FROM apps WHERE name = ?)`, name, app)
		if err != nil {
			return fmt.Errorf("delete add-on: %w", err)
		}
		return nil
	})
}

// addonID is the row id of add-on name of app, ENOTFOUND if none.
func addonID(ctx context.Context, tx *sql.Tx, app, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT d.id FROM addons d JOIN apps a ON a.id = d.app_id WHERE a.name = ? AND d.name = ?`, app, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, engine.Errorf(engine.ENOTFOUND, "app %s has no add-on %s", app, name)
	}
	if err != nil {
		return 0, fmt.Errorf("find add-on: %w", err)
	}
	return id, nil
}
