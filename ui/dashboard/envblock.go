package dashboard

import (
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
)

// parseEnv reads a .env block: one KEY=value a line; blank lines and
// lines starting with # are skipped; "export " before a key is allowed.
// A value may be in single quotes (taken as is) or double quotes (with
// \n, \", \\ escapes); an unquoted value ends before " #". A key given
// twice keeps its last value. Errors name the line and say how to fix it;
// keys and values are checked by the engine's rules.
func parseEnv(block string) (map[string]string, error) {
	vars := map[string]string{}
	for i, line := range strings.Split(normalizeNewlines(block), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, err := parseEnvLine(line)
		if err != nil {
			return nil, engine.FieldError("env", "line %d: %s", i+1, engine.ErrorMessage(err))
		}
		vars[key] = value
		if len(vars) > engine.MaxConfigVars {
			return nil, engine.FieldError("env", "more than %d variables: paste fewer at a time", engine.MaxConfigVars)
		}
	}
	if len(vars) == 0 {
		return nil, engine.FieldError("env", "no variables found: paste lines such as DATABASE_URL=postgres://…")
	}
	return vars, nil
}

// parseEnvLine reads one non-blank, non-comment line.
func parseEnvLine(line string) (key, value string, err error) {
	line = strings.TrimPrefix(line, "export ")
	key, raw, ok := strings.Cut(line, "=")
	key = strings.TrimSpace(key)
	if !ok {
		return "", "", engine.Errorf(engine.EINVALID, "%.40q is not KEY=value", line)
	}
	if err := engine.ValidateConfigKey(key); err != nil {
		return "", "", err
	}
	if value, err = envValue(strings.TrimSpace(raw)); err != nil {
		return "", "", err
	}
	return key, value, engine.ValidateConfigValue(key, value)
}

// envValue unquotes a value as parseEnv describes.
func envValue(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, "'"):
		end := strings.LastIndex(raw, "'")
		if end == 0 {
			return "", engine.Errorf(engine.EINVALID, "the single quote is not closed")
		}
		return raw[1:end], nil
	case strings.HasPrefix(raw, `"`):
		end := strings.LastIndex(raw, `"`)
		if end == 0 {
			return "", engine.Errorf(engine.EINVALID, "the double quote is not closed")
		}
		s, err := strconv.Unquote(raw[:end+1])
		if err != nil {
			return "", engine.Errorf(engine.EINVALID, "the quoted value has an escape that is not \\n, \\\" or \\\\")
		}
		return s, nil
	}
	if i := strings.Index(raw, " #"); i >= 0 {
		raw = strings.TrimSpace(raw[:i])
	}
	return raw, nil
}
