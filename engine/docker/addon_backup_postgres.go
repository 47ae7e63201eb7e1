package docker

import (
	"context"
	"errors"
	"io"

	"github.com/quayside/quayside/engine"
)

// dumpPostgres runs pg_dump -Fc as postgres over the local socket, which
// the add-on image trusts, and streams its output to w.
func (r *Runtime) dumpPostgres(ctx context.Context, id string, spec AddonDumpSpec, w io.Writer) error {
	err := r.execTool(ctx, id, toolRun{
		cmd:    []string{"pg_dump", "--format=custom", "--no-password", "--username=" + spec.User, "--dbname=" + spec.Database},
		user:   "postgres",
		stdout: w,
	})
	return toolFailed(err, engine.EUNAVAILABLE, "could not back up the postgres add-on")
}

// restorePostgres replaces the database's contents with the backup in one
// transaction: restoreScript empties the database and runs what pg_restore
// makes of the backup, and commits only when pg_restore read all of it.
func (r *Runtime) restorePostgres(ctx context.Context, id string, spec AddonDumpSpec, rd io.Reader) error {
	err := r.execTool(ctx, id, toolRun{
		name:  "pg_restore",
		cmd:   []string{"sh", "-c", restoreScript, "sh", spec.User, spec.Database, resetSQL},
		user:  "postgres",
		stdin: rd,
	})
	return toolFailed(err, engine.EINVALID, "could not restore the postgres add-on; its data was left as it was")
}

// restoreScript pipes pg_restore's SQL into psql between BEGIN and COMMIT,
// after resetSQL ($3), as role $1 into database $2. pg_restore fails on a
// backup it cannot read in full: then no COMMIT follows, psql reaches the end
// of its input inside the transaction, and the server rolls it back. Any
// failing statement stops psql (ON_ERROR_STOP), which rolls back too.
// Objects are owned by $1 and the backup's grants are left out (as Heroku's
// restore does), so a backup restores into a service with another role.
const restoreScript = `set -u
failed=$(mktemp)
{
	printf 'BEGIN;\n%s\n' "$3"
	if pg_restore --no-owner --no-privileges --file=-; then
		printf 'COMMIT;\n'
	else
		echo failed >"$failed"
	fi
} | psql -X -q -v ON_ERROR_STOP=1 --no-password --username="$1" --dbname="$2" >/dev/null
status=$?
if [ -s "$failed" ]; then status=1; fi
rm -f "$failed"
exit "$status"
`

// resetSQL empties the database: every schema but the system's is dropped,
// with all it holds (tables, views, functions, extensions), and public is
// made again as a new PostgreSQL 15 database has it.
const resetSQL = `DO $reset$
DECLARE s name;
BEGIN
	FOR s IN SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
		AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
	LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', s);
	END LOOP;
END
$reset$;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';`

// toolFailed turns a *ToolError into a user-facing error with code, saying
// what went wrong and the tool's own words; other errors pass.
func toolFailed(err error, code, what string) error {
	var te *ToolError
	if errors.As(err, &te) {
		return engine.Wrapf(err, code, "%s: %s", what, te.Error())
	}
	return err
}
