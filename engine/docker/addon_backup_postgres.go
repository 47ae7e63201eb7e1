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

// restorePostgres feeds the backup to pg_restore in one transaction.
func (r *Runtime) restorePostgres(ctx context.Context, id string, spec AddonDumpSpec, rd io.Reader) error {
	err := r.execTool(ctx, id, toolRun{
		cmd: []string{"pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
			"--no-owner", "--no-privileges", "--no-password",
			"--username=" + spec.User, "--dbname=" + spec.Database},
		user:  "postgres",
		stdin: rd,
	})
	return toolFailed(err, engine.EINVALID, "could not restore the postgres add-on; its data was left as it was")
}

// toolFailed turns a *ToolError into a user-facing error with code, saying
// what went wrong and the tool's own words; other errors pass.
func toolFailed(err error, code, what string) error {
	var te *ToolError
	if errors.As(err, &te) {
		return engine.Wrapf(err, code, "%s: %s", what, te.Error())
	}
	return err
}
