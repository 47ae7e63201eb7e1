package docker

import (
	"bufio"
	"context"
	"io"
	"regexp"

	"github.com/quayside/quayside/engine"
)

// AddonDumpSpec names one add-on container and how to reach its data from inside it.
type AddonDumpSpec struct {
	Kind      string // "postgres" or "redis"
	Container string // container ID or name
	Database  string // postgres: the database to dump/restore
	User      string // postgres: the owner role
	Password  string // redis: the requirepass password
}

// Magic bytes at the start of each kind's backup.
const (
	pgDumpMagic   = "PGDMP" // pg_dump's custom format
	redisRDBMagic = "REDIS" // an RDB snapshot, "REDIS0010" for Redis 7.0
)

// DumpAddon streams a backup to w: postgres `pg_dump -Fc`, redis an RDB snapshot (SAVE, then dump.rdb).
//
// The container must be one of this instance's (labelled with its id) and
// running. Nothing is buffered: memory stays flat whatever the size of the
// data. On an error w may hold part of a backup, which the caller throws
// away. A tool that fails gives an error whose cause is a *ToolError
// naming it and its last lines of standard error.
func (r *Runtime) DumpAddon(ctx context.Context, spec AddonDumpSpec, w io.Writer) error {
	if err := spec.check(); err != nil {
		return err
	}
	id, err := r.addonContainer(ctx, spec)
	if err != nil {
		return err
	}
	if spec.Kind == "postgres" {
		return r.dumpPostgres(ctx, id, spec, w)
	}
	return r.dumpRedis(ctx, id, spec, w)
}

// RestoreAddon replaces the add-on's data with the backup read from rd (postgres: pg_restore
// --clean --if-exists into Database; redis: stop, replace dump.rdb and drop the AOF, start, wait ready).
//
// A backup of the wrong kind, or not a backup at all, is refused (EINVALID)
// before anything is touched. Postgres restores in one transaction that
// first empties Database (every schema but the system's is dropped, so
// tables made after the backup go too) and then runs pg_restore's SQL: a
// backup pg_restore cannot read in full, or a statement that fails, leaves
// the database as it was. Objects are owned by User and the backup's grants
// are left out (as Heroku's restore does), so a backup restores into a
// service with another owner role too. Redis: the whole snapshot is
// copied into the container and checked with redis-check-rdb while the
// server still runs; only a snapshot that passes replaces the data (with
// appendonly on, it becomes the AOF's base). The container is started again
// whatever happens after it was stopped.
func (r *Runtime) RestoreAddon(ctx context.Context, spec AddonDumpSpec, rd io.Reader) error {
	if err := spec.check(); err != nil {
		return err
	}
	id, err := r.addonContainer(ctx, spec)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(rd, 64<<10)
	if err := checkBackupKind(spec.Kind, br); err != nil {
		return err
	}
	if spec.Kind == "postgres" {
		return r.restorePostgres(ctx, id, spec, br)
	}
	return r.restoreRedis(ctx, id, spec, br)
}

// check validates the spec's fields for its kind.
func (s AddonDumpSpec) check() error {
	switch {
	case s.Kind != "postgres" && s.Kind != "redis":
		return engine.Errorf(engine.EINVALID, "unknown add-on kind %q: use postgres or redis", s.Kind)
	case s.Container == "":
		return engine.Errorf(engine.EINVALID, "no add-on container given")
	case s.Kind == "postgres" && (s.Database == "" || s.User == ""):
		return engine.Errorf(engine.EINVALID, "a postgres add-on needs its database and owner role to back up or restore")
	case s.Kind == "postgres" && (!pgName.MatchString(s.Database) || !pgName.MatchString(s.User)):
		return engine.Errorf(engine.EINVALID, "the postgres database and role names may hold letters, digits, _ and - only (up to 63): got %q and %q", s.Database, s.User)
	}
	return nil
}

// pgName is a database or role name passed to pg_dump and pg_restore. No
// spaces or "=": pg_dump reads a --dbname holding them as a connection
// string, which could point it at another server.
var pgName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,62}$`)

// addonContainer returns the ID of the spec's container: one of this
// instance's, running.
func (r *Runtime) addonContainer(ctx context.Context, spec AddonDumpSpec) (string, error) {
	info, err := r.inspectOwned(ctx, spec.Container)
	if err != nil {
		return "", err
	}
	if info.State == nil || !info.State.Running {
		return "", engine.Errorf(engine.ECONFLICT, "the %s add-on's container %s is not running; start it, then try again", spec.Kind, spec.Container)
	}
	return info.ID, nil
}

// checkBackupKind peeks at the start of a backup and refuses one that is
// not of kind, naming what it looks like instead.
func checkBackupKind(kind string, br *bufio.Reader) error {
	head, _ := br.Peek(9)
	want, name := pgDumpMagic, "a Postgres backup (pg_dump custom format)"
	if kind == "redis" {
		want, name = redisRDBMagic, "a Redis backup (RDB snapshot)"
	}
	if len(head) >= len(want) && string(head[:len(want)]) == want {
		return nil
	}
	what := "an unknown format"
	switch {
	case len(head) == 0:
		what = "empty"
	case len(head) >= 5 && string(head[:5]) == pgDumpMagic:
		what = "a Postgres backup"
	case len(head) >= 5 && string(head[:5]) == redisRDBMagic:
		what = "a Redis backup"
	}
	return engine.Errorf(engine.EINVALID, "the backup is not %s: it is %s; nothing was changed. Restore a backup made of a %s add-on", name, what, kind)
}
