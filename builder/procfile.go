package builder

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Procfile limits.
const (
	maxProcfileBytes = 64 << 10
	maxProcessTypes  = 30
)

var processTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,29}$`)

// ProcfileEntry is one line of a Procfile: a process type and its command.
type ProcfileEntry struct {
	Type    string
	Command string
}

// ParseProcfile reads a Procfile: one `type: command` per line; blank lines
// and lines starting with # are ignored. Errors say which line is wrong and
// what was expected.
func ParseProcfile(data []byte) ([]ProcfileEntry, error) {
	if len(data) > maxProcfileBytes {
		return nil, engine.Errorf(engine.EINVALID, "Procfile is %d bytes: the limit is %d", len(data), maxProcfileBytes)
	}
	var entries []ProcfileEntry
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxProcfileBytes)
	for n := 1; sc.Scan(); n++ {
		e, ok, err := parseProcfileLine(sc.Text(), n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if first, dup := seen[e.Type]; dup {
			return nil, procfileError(n, "process type %q is already defined on line %d", e.Type, first)
		}
		seen[e.Type] = n
		entries = append(entries, e)
	}
	if len(entries) > maxProcessTypes {
		return nil, engine.Errorf(engine.EINVALID, "Procfile defines %d process types: the limit is %d", len(entries), maxProcessTypes)
	}
	return entries, nil
}

// parseProcfileLine returns the entry on line n, or ok=false for a blank
// line or a comment.
func parseProcfileLine(line string, n int) (ProcfileEntry, bool, error) {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return ProcfileEntry{}, false, nil
	}
	typ, cmd, found := strings.Cut(trimmed, ":")
	if !found {
		return ProcfileEntry{}, false, procfileError(n, "expected `type: command`, found %q", truncate(trimmed, 60))
	}
	typ, cmd = strings.TrimSpace(typ), strings.TrimSpace(cmd)
	if !processTypeRe.MatchString(typ) {
		return ProcfileEntry{}, false, procfileError(n, "%q is not a process type: use lowercase letters, digits, - and _, starting with a letter (at most 30)", truncate(typ, 40))
	}
	if cmd == "" {
		return ProcfileEntry{}, false, procfileError(n, "process type %q has no command: expected `%s: command`", typ, typ)
	}
	return ProcfileEntry{Type: typ, Command: cmd}, true, nil
}

func procfileError(line int, format string, args ...any) error {
	return engine.Errorf(engine.EINVALID, "Procfile line %d: %s", line, fmt.Sprintf(format, args...))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// shellChars are characters that need a shell to mean what they say.
const shellChars = "$`|&;<>()*?[]~{}'\"\\\n#=!"

// CommandArgs turns a Procfile command into the argv a container runs: the
// words themselves when the command is plain, otherwise /bin/sh -c (which
// the image must then contain).
func CommandArgs(cmd string) []string {
	if strings.ContainsAny(cmd, shellChars) {
		return []string{"/bin/sh", "-c", cmd}
	}
	return strings.Fields(cmd)
}

// procfileProcesses turns Procfile entries into processes that replace an
// image's own command.
func procfileProcesses(entries []ProcfileEntry) []engine.Process {
	ps := make([]engine.Process, len(entries))
	for i, e := range entries {
		ps[i] = engine.Process{Type: e.Type, Entrypoint: CommandArgs(e.Command), Display: e.Command}
	}
	return ps
}
