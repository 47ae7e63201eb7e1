package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// ProcessLimits implements engine.LimitStore: the limits app sets, by
// process type. An unknown app sets none.
func (db *DB) ProcessLimits(ctx context.Context, app string) (engine.ProcessLimits, error) {
	out := engine.ProcessLimits{}
	err := db.view(ctx, "read process limits", func(tx *sql.Tx) error {
		const q = `SELECT l.process_type, l.memory_bytes, l.nano_cpus, l.pids
			FROM process_limits l JOIN apps a ON a.id = l.app_id WHERE a.name = ?`
		rows, err := queryAll(ctx, tx, "read process limits", scanTypeLimits, q, app)
		for _, r := range rows {
			out[r.typ] = r.l
		}
		return err
	})
	return out, err
}

// SetProcessLimits implements engine.LimitStore: it replaces the limits of
// one process type of app, and forgets them when l is zero. Negative
// fields are EINVALID, an unknown app ENOTFOUND.
func (db *DB) SetProcessLimits(ctx context.Context, app, process string, l engine.Limits) error {
	if l.MemoryBytes < 0 || l.NanoCPUs < 0 || l.Pids < 0 || process == "" {
		return engine.Errorf(engine.EINVALID, "process limits must name a type and not be negative")
	}
	return db.update(ctx, "set process limits", func(tx *sql.Tx) error {
		id, err := appID(ctx, tx, app)
		if err != nil {
			return err
		}
		if l == (engine.Limits{}) {
			_, err = tx.ExecContext(ctx, `DELETE FROM process_limits WHERE app_id = ? AND process_type = ?`, id, process)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO process_limits (app_id, process_type, memory_bytes, nano_cpus, pids)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, process_type) DO UPDATE SET
				memory_bytes = excluded.memory_bytes, nano_cpus = excluded.nano_cpus, pids = excluded.pids`,
				id, process, l.MemoryBytes, l.NanoCPUs, l.Pids)
		}
		if err != nil {
			return fmt.Errorf("write process limits: %w", err)
		}
		return nil
	})
}

// typeLimits is one row of process_limits.
type typeLimits struct {
	typ string
	l   engine.Limits
}

func scanTypeLimits(r rowScanner) (typeLimits, error) {
	var t typeLimits
	err := r.Scan(&t.typ, &t.l.MemoryBytes, &t.l.NanoCPUs, &t.l.Pids)
	return t, err
}
