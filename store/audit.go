package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// Audit query limits.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// AddAudit appends e to the audit log and sets its ID, and its Time when
// zero. Entries cannot be changed or deleted afterwards: triggers in the
// schema refuse it.
func (db *DB) AddAudit(ctx context.Context, e *engine.AuditEntry) error {
	entry := *e
	if entry.Action == "" {
		return engine.FieldError("action", "an audit entry needs an action")
	}
	if entry.Time.IsZero() {
		entry.Time = db.now()
	}
	err := db.update(ctx, "add audit entry", func(tx *sql.Tx) error {
		return addAudit(ctx, tx, &entry)
	})
	if err != nil {
		return err
	}
	*e = entry
	return nil
}

// ListAudit returns the entries q selects, newest (highest ID) first: of
// q.App and q.Actor when set, at or after q.Since when set, with an ID
// below q.Before when set; at most q.Limit (DefaultAuditLimit when 0,
// capped at MaxAuditLimit).
func (db *DB) ListAudit(ctx context.Context, q engine.AuditQuery) ([]*engine.AuditEntry, error) {
	var es []*engine.AuditEntry
	err := db.view(ctx, "list audit entries", func(tx *sql.Tx) (err error) {
		es, err = listAudit(ctx, tx, q)
		return err
	})
	return es, err
}

func addAudit(ctx context.Context, tx *sql.Tx, e *engine.AuditEntry) error {
	const q = `INSERT INTO audit (at, actor, action, app, target, detail, from_addr, success)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	res, err := tx.ExecContext(ctx, q, formatTime(e.Time), e.Actor, e.Action, e.App, e.Target, e.Detail, e.From, e.Success)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

func auditWhere(q engine.AuditQuery) (string, []any) {
	where, args := ` WHERE id < ?`, []any{int64(1<<63 - 1)}
	if q.Before > 0 {
		args[0] = q.Before
	}
	if q.App != "" {
		where, args = where+` AND app = ?`, append(args, q.App)
	}
	if q.Actor != "" {
		where, args = where+` AND actor = ?`, append(args, q.Actor)
	}
	if !q.Since.IsZero() {
		where, args = where+` AND at >= ?`, append(args, formatTime(q.Since))
	}
	return where, args
}

func auditLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultAuditLimit
	case n > MaxAuditLimit:
		return MaxAuditLimit
	}
	return n
}

func listAudit(ctx context.Context, tx *sql.Tx, q engine.AuditQuery) ([]*engine.AuditEntry, error) {
	where, args := auditWhere(q)
	const sel = `SELECT id, at, actor, action, app, target, detail, from_addr, success FROM audit`
	return queryAll(ctx, tx, "list audit entries", scanAudit, sel+where+` ORDER BY id DESC LIMIT ?`, append(args, auditLimit(q.Limit))...)
}

func scanAudit(row rowScanner) (*engine.AuditEntry, error) {
	var e engine.AuditEntry
	var at string
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.App, &e.Target, &e.Detail, &e.From, &e.Success); err != nil {
		return nil, err
	}
	var err error
	e.Time, err = parseTime(at)
	return &e, err
}
