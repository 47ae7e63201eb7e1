package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/quayside/quayside/engine"
)

// mapError turns an error from a transaction into what callers see:
// *engine.Error passes through, SQLite failures that have a meaning for the
// user get a code (a constraint that keeps names unique is ECONFLICT, a
// foreign key ENOTFOUND, a busy database EUNAVAILABLE), and anything else
// is wrapped as "op: err". Callers never need to look at SQLite errors.
func mapError(err error, op string) error {
	if err == nil {
		return nil
	}
	var e *engine.Error
	if errors.As(err, &e) {
		return err
	}
	if code, msg, ok := classify(err); ok {
		return &engine.Error{Code: code, Message: fmt.Sprintf("cannot %s: %s", op, msg)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// classify gives the engine code and a short reason for the SQLite errors
// that have one.
func classify(err error) (code, msg string, ok bool) {
	c := sqliteCode(err)
	switch {
	case c == sqlite3.SQLITE_CONSTRAINT_UNIQUE, c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return engine.ECONFLICT, "it already exists", true
	case c == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return engine.ENOTFOUND, "what it refers to does not exist", true
	case c&0xff == sqlite3.SQLITE_CONSTRAINT:
		return engine.EINVALID, "a value is missing or out of range", true
	case c&0xff == sqlite3.SQLITE_BUSY, c&0xff == sqlite3.SQLITE_LOCKED:
		return engine.EUNAVAILABLE, "the database is busy: try again", true
	case c&0xff == sqlite3.SQLITE_FULL:
		return engine.EUNAVAILABLE, "the disk is full: free some space", true
	}
	return "", "", false
}

// sqliteCode is the extended SQLite result code of err, 0 if err does not
// come from SQLite.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

func appNotFound(name string) error {
	return engine.Errorf(engine.ENOTFOUND, "app %q not found", name)
}

func releaseNotFound(app string, number int) error {
	return engine.Errorf(engine.ENOTFOUND, "release %d of app %q not found", number, app)
}

func configNotFound(app string, version int) error {
	return engine.Errorf(engine.ENOTFOUND, "config version %d of app %q not found", version, app)
}
