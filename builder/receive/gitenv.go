package receive

import (
	"os"
	"strings"
)

// Environment variables of the pre-receive hook.
const (
	// EnvHookSocket is the unix socket the hook calls back on; the hook
	// script sets it.
	EnvHookSocket = "QUAYSIDE_HOOK_SOCKET"
	// EnvPushID ties the hook call to the SSH session that runs
	// git-receive-pack; the server sets it for that process only.
	EnvPushID = "QUAYSIDE_PUSH_ID"
)

// gitEnv is the environment of every git process the server starts, the
// hook included: PATH and TMPDIR from the host and none of the host's git
// configuration, so no system or global setting (core.hooksPath, templates,
// attributes, replace refs) changes what a push does. extra is appended.
func gitEnv(extra ...string) []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_NO_REPLACE_OBJECTS=1",
		"GIT_LITERAL_PATHSPECS=1",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
	}
	for _, k := range []string{"PATH", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote itself.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hookScript is the pre-receive hook: it tells the hook command where the
// daemon listens and execs it.
func hookScript(socket string, argv []string) []byte {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	return []byte("#!/bin/sh\n" +
		"# Written by Quayside on every push: deploys the pushed commit. Do not edit.\n" +
		EnvHookSocket + "=" + shellQuote(socket) + "\n" +
		"export " + EnvHookSocket + "\n" +
		"exec " + strings.Join(quoted, " ") + "\n")
}
