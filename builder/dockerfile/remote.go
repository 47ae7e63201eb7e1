package dockerfile

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/quayside/quayside/engine"
)

// checkRemoteSources refuses a Dockerfile whose ADD (or ONBUILD ADD) names
// a URL, or a variable that could expand to one. The Docker daemon fetches
// such a source itself, from the server's own network namespace, where it
// reaches what listens on the server's loopback; RUN steps run in a
// container network and do not. It returns EINVALID naming the line and
// what to do instead.
func checkRemoteSources(dockerfile []byte) error {
	for _, in := range instructions(string(dockerfile)) {
		for _, src := range addSources(in.text) {
			var why string
			switch {
			case strings.Contains(src, "://") || strings.HasPrefix(src, "git@"):
				why = "the Docker daemon would fetch the URL itself, from the server's own network, where it reaches services meant for the server alone"
			case strings.Contains(src, "$"):
				why = "the variable could name a URL, which the Docker daemon would fetch from the server's own network"
			default:
				continue
			}
			return engine.Errorf(engine.EINVALID,
				"Dockerfile line %d: ADD %s is refused: %s. Download it in a RUN step instead (RUN curl -fsSLo /dest URL), "+
					"or commit the file to the repository and ADD or COPY it by its path.", in.line, src, why)
		}
	}
	return nil
}

// instruction is one Dockerfile instruction with its continuation lines
// joined, and the line it starts on.
type instruction struct {
	line int
	text string
}

// instructions splits a Dockerfile into instructions the way the classic
// builder does: the escape parser directive, continuation lines, and
// comment lines (also inside a continuation) dropped.
func instructions(src string) []instruction {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	escape := escapeChar(lines)
	var out []instruction
	var cur *instruction
	for i, raw := range lines {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if cur == nil {
			cur = &instruction{line: i + 1}
		}
		if body, ok := strings.CutSuffix(trimmed, string(escape)); ok {
			cur.text += body + " "
			continue
		}
		cur.text += trimmed
		out = append(out, *cur)
		cur = nil
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// escapeChar reads the escape parser directive from the Dockerfile's
// leading comment lines: '\' unless it says '`'.
func escapeChar(lines []string) rune {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		directive, ok := strings.CutPrefix(l, "#")
		if !ok {
			break
		}
		name, value, ok := strings.Cut(directive, "=")
		if !ok {
			break
		}
		if strings.EqualFold(strings.TrimSpace(name), "escape") && strings.TrimSpace(value) == "`" {
			return '`'
		}
	}
	return '\\'
}

// addSources returns the sources of an ADD instruction (also behind
// ONBUILD), nil for any other instruction.
func addSources(text string) []string {
	keyword, rest := cutWord(text)
	if strings.EqualFold(keyword, "ONBUILD") {
		keyword, rest = cutWord(rest)
	}
	if !strings.EqualFold(keyword, "ADD") {
		return nil
	}
	args := addArgs(rest)
	if len(args) < 2 {
		return args
	}
	return args[:len(args)-1]
}

// addArgs splits ADD's arguments, in JSON or shell form, flags dropped.
func addArgs(rest string) []string {
	var fields []string
	for strings.HasPrefix(rest, "--") {
		_, rest = cutWord(rest)
	}
	if strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &fields) == nil {
		return fields
	}
	return strings.Fields(rest)
}

// cutWord splits s at its first white space: the word before it and the
// rest with leading white space removed.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeftFunc(s[i:], unicode.IsSpace)
}
