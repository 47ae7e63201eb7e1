package main

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
)

// Server-provided text (build output, logs, events, errors, names) is
// printed through these helpers, never raw: they apply engine.CleanText,
// the one sanitizer, so a line of output cannot drive the user's terminal
// (no clipboard writes, titles, cursor movement or queries that make the
// terminal answer). Plain colours are kept when stdout is a terminal.

// stdoutIsTerminal reports whether stdout is a terminal.
var stdoutIsTerminal = sync.OnceValue(func() bool { return term.IsTerminal(int(os.Stdout.Fd())) })

// stdoutColours reports whether server-provided colours are kept on stdout.
var stdoutColours = sync.OnceValue(func() bool { return colours(os.Stdout) })

// colours reports whether colours are kept on f: when it is a terminal or
// CLICOLOR_FORCE is set (other than "0"), unless NO_COLOR is set.
func colours(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	if force := os.Getenv("CLICOLOR_FORCE"); force != "" && force != "0" {
		return true
	}
	return term.IsTerminal(int(f.Fd()))
}

// safe returns server-provided text ready for stdout: with its plain
// colours when stdoutColours, without them otherwise.
func safe(s string) string { return safeFor(s, stdoutColours()) }

// safeFor makes s safe to print, keeping its plain colours or not.
func safeFor(s string, colour bool) string {
	if colour {
		return engine.CleanText(s)
	}
	return engine.PlainText(s)
}

// cellText makes a value one clean line for a table cell: no colours
// (they upset the column widths), tabs and newlines as spaces.
func cellText(v any) string {
	s := engine.PlainText(fmt.Sprint(v))
	if !strings.ContainsAny(s, "\t\n") {
		return s
	}
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}
