package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// addonsPsqlCmd runs SQL in an app's Postgres through the API, so it works
// the same on the server and from a remote CLI. Each statement (at a
// terminal) or the whole input (-c, or piped) is one psql run.
type addonsPsqlCmd struct {
	App     string `arg:"" help:"App name."`
	Name    string `arg:"" optional:"" help:"Add-on name or OWNER_APP/NAME (default: the app's primary Postgres)."`
	Command string `short:"c" help:"Run this SQL and exit."`
}

func (c *addonsPsqlCmd) Run(g *globals) error {
	return runAddonShell(g, c.App, c.Name, engine.AddonPostgres, c.Command, nil)
}

// addonsRedisCmd runs redis-cli in an app's Redis through the API.
type addonsRedisCmd struct {
	App  string   `arg:"" help:"App name."`
	Name string   `arg:"" optional:"" help:"Add-on name or OWNER_APP/NAME (default: the app's primary Redis)."`
	Args []string `arg:"" optional:"" passthrough:"" help:"A command to run, after -- (such as -- GET key)."`
}

func (c *addonsRedisCmd) Run(g *globals) error {
	args := c.Args
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	return runAddonShell(g, c.App, c.Name, engine.AddonRedis, "", args)
}

// runAddonShell finds the add-on and runs its client: once with command or
// args, once with piped input, or statement by statement at a terminal.
func runAddonShell(g *globals, app, name, kind, command string, args []string) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	owner, short, err := pickAddon(g, cl, app, name, kind)
	if err != nil {
		return err
	}
	run := func(input string, args []string) (int, error) {
		return cl.AddonShell(g.ctx, owner, short, api.AddonShell{Input: input, Args: args}, os.Stdout)
	}
	switch {
	case command != "" || len(args) > 0:
		return exitWith(run(command, args))
	case !term.IsTerminal(int(os.Stdin.Fd())):
		in, err := io.ReadAll(io.LimitReader(os.Stdin, engine.MaxAddonShellInput+1))
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		return exitWith(run(string(in), nil))
	}
	return shellLoop(owner+"/"+short, kind, run)
}

// pickAddon resolves name (or the app's primary add-on of kind) to its
// owner and short name.
func pickAddon(g *globals, cl *api.Client, app, name, kind string) (string, string, error) {
	if owner, short, ok := strings.Cut(name, "/"); ok {
		return owner, short, nil
	}
	if name != "" {
		return app, name, nil
	}
	list, err := cl.Addons(g.ctx, app)
	if err != nil {
		return "", "", err
	}
	primary := engine.AddonKinds[kind].PrimaryVar
	for _, a := range list {
		if a.Kind == kind && varOf(a, app) == primary {
			return a.App, a.Name, nil
		}
	}
	return "", "", engine.Errorf(engine.ENOTFOUND, "%s has no primary %s add-on: name one (quayside addons list %s)", app, kind, app)
}

// exitWith turns a client's exit code into the CLI's.
func exitWith(code int, err error) error {
	if err != nil {
		return err
	}
	if code != 0 {
		return exitStatus(code)
	}
	return nil
}

// shellLoop reads statements at a terminal (psql: up to a ";", redis: a
// line) and runs each, until end of input or \q / quit.
func shellLoop(ref, kind string, run func(string, []string) (int, error)) error {
	fmt.Printf("Connected to %s through the Quayside API: each statement runs on its own; \\q or quit ends.\n", ref)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 64<<10), engine.MaxAddonShellInput)
	var stmt strings.Builder
	for {
		prompt := ref + "> "
		if stmt.Len() > 0 {
			prompt = strings.Repeat(" ", len(ref)) + "- "
		}
		fmt.Print(prompt)
		if !sc.Scan() {
			fmt.Println()
			return sc.Err()
		}
		line := sc.Text()
		if t := strings.TrimSpace(line); stmt.Len() == 0 && (t == `\q` || t == "quit" || t == "exit") {
			return nil
		}
		stmt.WriteString(line + "\n")
		if kind == engine.AddonPostgres && !strings.HasSuffix(strings.TrimSpace(line), ";") {
			continue
		}
		if _, err := run(stmt.String(), nil); err != nil {
			fmt.Fprintln(os.Stderr, safe(engine.ErrorMessage(err)))
		}
		stmt.Reset()
	}
}
