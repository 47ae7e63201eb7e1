package api

import (
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
)

// The parsers below read the CLI's KEY=VALUE arguments into the bodies of
// API requests. They check the shape only; the server checks the values.
// Each error is a field error naming the argument and showing the form.

// ParseConfigPairs reads `config set` arguments: KEY=value, each key once.
// The value may be empty or hold "=".
func ParseConfigPairs(pairs []string) (map[string]string, error) {
	set := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, engine.FieldError(p, "%q is not KEY=value: write config set APP KEY=value", p)
		}
		if _, dup := set[k]; dup {
			return nil, engine.FieldError(k, "%s is given twice", k)
		}
		set[k] = v
	}
	return set, nil
}

// ParseScale reads `ps scale` arguments: TYPE=N, each type once.
func ParseScale(args []string) (ScaleChange, error) {
	change := ScaleChange{}
	for _, a := range args {
		typ, n, ok := strings.Cut(a, "=")
		count, err := strconv.Atoi(n)
		if !ok || typ == "" || err != nil {
			return nil, engine.FieldError(a, "%q is not TYPE=N: write, for example, web=2", a)
		}
		if _, dup := change[typ]; dup {
			return nil, engine.FieldError(typ, "%s is given twice", typ)
		}
		change[typ] = count
	}
	return change, nil
}

// ParseLimits reads `ps limits` arguments: at least one KEY=VALUE, such
// as memory=512M or cpus=default, each key once, neither side empty.
func ParseLimits(args []string) (map[string]string, error) {
	if len(args) == 0 {
		return nil, engine.FieldError("limits", "give the limits to set, as in memory=512M cpus=1 pids=512 (or memory=default)")
	}
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" || v == "" {
			return nil, engine.FieldError(a, "%q is not KEY=VALUE: write, for example, memory=512M", a)
		}
		if _, dup := out[k]; dup {
			return nil, engine.FieldError(k, "%s is given twice", k)
		}
		out[k] = v
	}
	return out, nil
}
