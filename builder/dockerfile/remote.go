package dockerfile

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/quayside/quayside/engine"
)

// plan is what the remote-source check learnt about a Dockerfile: the
// images its stages start from or copy from (stage names and scratch left
// out), with the line that names them.
type plan struct {
	bases []base
	args  map[string]bool // the names the Dockerfile declares with ARG
}

// base is one image reference of a FROM (or COPY --from), its meta ARGs
// expanded. The ONBUILD triggers of a FROM image run in the build; those of
// a COPY --from image do not.
type base struct {
	line     int
	ref      string
	copyFrom bool
}

// checkRemoteSources parses a Dockerfile with buildkit's parser (the one
// the Docker daemon uses: byte order mark, parser directives, escape
// character, continuations, heredocs) and refuses an ADD (or ONBUILD ADD)
// whose source, once its quotes and escapes are processed, is a URL or uses
// a variable. The Docker daemon fetches such a source itself, from the
// server's own network namespace, where it reaches what listens on the
// server's loopback; RUN steps run in a container network and do not. A
// Dockerfile that does not parse fails as the daemon would fail it
// (EDEPLOYFAILED with the parser's message). A refusal is EINVALID naming
// the line and what to do instead; otherwise it returns
// the base images the stages start from.
//
// buildArgs are the build args the build will get: a meta ARG (before the
// first FROM) takes its value from them as the daemon does, so the base
// images are checked as they will be pulled.
func checkRemoteSources(dockerfile []byte, buildArgs map[string]string) (*plan, error) {
	res, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		return nil, failed(fmt.Sprintf("the Dockerfile does not parse: %v", err), "")
	}
	lex := shell.NewLex(res.EscapeToken)
	p := &plan{args: map[string]bool{}}
	stages := map[string]bool{}
	meta := envMap{}
	seenFrom := false
	for _, node := range res.AST.Children {
		in, err := instructions.ParseInstruction(node)
		if err != nil {
			return nil, failed(fmt.Sprintf("the Dockerfile does not parse: line %d: %v", node.StartLine, err), "")
		}
		switch c := in.(type) {
		case *instructions.Stage:
			seenFrom = true
			ref, _, _ := lex.ProcessWord(c.BaseName, meta)
			if !stages[strings.ToLower(ref)] && !strings.EqualFold(ref, "scratch") {
				p.bases = append(p.bases, base{line: node.StartLine, ref: ref})
			}
			if c.Name != "" {
				stages[strings.ToLower(c.Name)] = true
			}
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				p.args[kv.Key] = true
				if seenFrom {
					continue
				}
				if v, ok := buildArgs[kv.Key]; ok {
					meta[kv.Key] = v
				} else if kv.Value != nil {
					meta[kv.Key] = *kv.Value
				}
			}
		case *instructions.CopyCommand:
			if ref, _, _ := lex.ProcessWord(c.From, meta); ref != "" && !stages[strings.ToLower(ref)] && !isIndex(ref) {
				p.bases = append(p.bases, base{line: node.StartLine, ref: ref, copyFrom: true})
			}
		default:
			if err := checkCommand(lex, node.StartLine, in); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// checkCommand refuses an ADD, or an ONBUILD ADD, with a remote source.
func checkCommand(lex *shell.Lex, line int, in any) error {
	switch c := in.(type) {
	case *instructions.AddCommand:
		for _, src := range c.SourcePaths {
			if err := checkAddSource(lex, line, src); err != nil {
				return err
			}
		}
	case *instructions.OnbuildCommand:
		return checkTrigger(line, c.Expression)
	}
	return nil
}

// checkTrigger refuses an ONBUILD trigger (from the Dockerfile, or from a
// base image's Config.OnBuild) that ADDs a remote source; line is where the
// trigger is declared or, for a base image, its FROM.
func checkTrigger(line int, trigger string) error {
	res, err := parser.Parse(strings.NewReader(trigger))
	if err != nil {
		return failed(fmt.Sprintf("Dockerfile line %d: the ONBUILD trigger %q does not parse: %v", line, trigger, err), "")
	}
	lex := shell.NewLex(res.EscapeToken)
	for _, node := range res.AST.Children {
		in, err := instructions.ParseInstruction(node)
		if err != nil {
			return failed(fmt.Sprintf("Dockerfile line %d: the ONBUILD trigger %q does not parse: %v", line, trigger, err), "")
		}
		if err := checkCommand(lex, line, in); err != nil {
			return err
		}
	}
	return nil
}

// checkAddSource refuses one ADD source that, expanded the way the daemon
// expands it, uses a variable or names something the daemon would fetch.
func checkAddSource(lex *shell.Lex, line int, src string) error {
	env := &recordingEnv{}
	word, _, err := lex.ProcessWord(src, env)
	if err != nil {
		return failed(fmt.Sprintf("the Dockerfile does not parse: line %d: ADD %s: %v", line, src, err), "")
	}
	var why string
	switch {
	case len(env.used) > 0 || strings.Contains(word, "$"):
		why = "the variable could name a URL, which the Docker daemon would fetch from the server's own network"
	case remote(word):
		why = "the Docker daemon would fetch the URL itself, from the server's own network, where it reaches services meant for the server alone"
	default:
		return nil
	}
	return engine.Errorf(engine.EINVALID,
		"Dockerfile line %d: ADD %s is refused: %s. Download it in a RUN step instead (RUN curl -fsSLo /dest URL), "+
			"or commit the file to the repository and ADD or COPY it by its path.", line, src, why)
}

// isIndex reports whether a COPY --from names a stage by its number.
func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// remote reports whether an expanded ADD source is something the daemon
// (classic builder or buildkit) would fetch rather than read from the
// context: any scheme, or a git SSH address.
func remote(src string) bool {
	return strings.Contains(src, "://") || strings.HasPrefix(src, "git@")
}

// envMap is a fixed set of variables for shell.Lex.
type envMap map[string]string

func (m envMap) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }

func (m envMap) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// recordingEnv has no variables and records every one looked up.
type recordingEnv struct{ used []string }

func (e *recordingEnv) Get(k string) (string, bool) {
	e.used = append(e.used, k)
	return "", false
}

func (e *recordingEnv) Keys() []string { return nil }
