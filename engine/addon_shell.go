package engine

import (
	"context"
	"io"
	"strings"
	"time"
)

// Bounds of one add-on shell command.
const (
	MaxAddonShellInput = 1 << 20
	addonShellTimeout  = 10 * time.Minute
)

// AddonShellRequest runs psql (Postgres) or redis-cli (Redis) once in an
// add-on's container, connected as the app would be.
type AddonShellRequest struct {
	App, Name string
	// Input is fed to the client's standard input: SQL for psql, commands
	// for redis-cli (one a line).
	Input string
	// Args are extra arguments to redis-cli (a command such as GET key);
	// psql takes none.
	Args   []string
	Output io.Writer
}

// AddonShell runs the add-on's own client once with req's input and
// returns its exit code. It gives full access to the data, so it needs
// the right to read the owner's config values, and it is audited (without
// the input, which may hold secrets).
func (e *Engine) AddonShell(ctx context.Context, req AddonShellRequest) (code int, err error) {
	if err := e.addonsAvailable(); err != nil {
		return -1, err
	}
	a, err := e.findAddon(ctx, ActRevealConfig, req.App, req.Name)
	if err != nil {
		return -1, err
	}
	defer func() { e.audit(ctx, AuditAddonShell, a.App, a.Name, "by "+req.App, err) }()
	if len(req.Input) > MaxAddonShellInput {
		return -1, FieldError("input", "the input is %d bytes: the most is %d; split it, or restore a backup instead", len(req.Input), MaxAddonShellInput)
	}
	cmd, err := shellCommand(a, req.Args)
	if err != nil {
		return -1, err
	}
	ctx, cancel := context.WithTimeout(ctx, addonShellTimeout)
	defer cancel()
	return e.cfg.Addons.ExecAddon(ctx, a.App, a.Name, cmd, strings.NewReader(req.Input), req.Output)
}

// shellCommand is the client command line for a.
func shellCommand(a *Addon, args []string) ([]string, error) {
	if a.Kind == AddonRedis {
		return append([]string{"redis-cli", "--no-auth-warning", "-a", a.Password}, args...), nil
	}
	if len(args) > 0 {
		return nil, FieldError("args", "psql takes its SQL as input (-c or standard input), not as arguments")
	}
	url := "postgresql://" + a.User + ":" + a.Password + "@127.0.0.1:5432/" + a.Database
	return []string{"psql", "-X", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", url}, nil
}
