package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
)

// maxLogLine caps one line of the child's log; the rest of a longer line
// is logged as lines of its own.
const maxLogLine = 16 << 10

// logRelay logs what the child writes to its stdout and stderr: lines that
// are slog JSON records keep their level, message and attributes (but not
// the child's time); others (a panic's trace) are logged as warnings.
type logRelay struct {
	log     *slog.Logger
	mu      sync.Mutex
	partial []byte
}

// Write implements io.Writer.
func (l *logRelay) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 && len(l.partial) < maxLogLine {
			return len(p), nil
		}
		if i < 0 || i > maxLogLine {
			i = maxLogLine
		}
		line := string(l.partial[:i])
		l.partial = l.partial[min(i+1, len(l.partial)):]
		l.line(line)
	}
}

// line logs one line of the child.
func (l *logRelay) line(line string) {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return
	}
	var rec map[string]any
	if json.Unmarshal([]byte(line), &rec) != nil {
		l.log.Warn("build worker output", "line", line)
		return
	}
	var level slog.Level
	if s, ok := rec[slog.LevelKey].(string); !ok || level.UnmarshalText([]byte(s)) != nil {
		level = slog.LevelInfo
	}
	msg, _ := rec[slog.MessageKey].(string)
	attrs := make([]any, 0, 2*len(rec))
	for k, v := range rec {
		if k != slog.TimeKey && k != slog.LevelKey && k != slog.MessageKey {
			attrs = append(attrs, k, v)
		}
	}
	l.log.Log(context.Background(), level, msg, attrs...)
}

// childEnvNames are the environment variables a child keeps: what finding
// and talking to the Docker daemon, pack and the Go runtime read, and the
// basics of a process. Everything else of the daemon's environment (its
// flags' values, tokens and keys among them) stays with the daemon.
var childEnvNames = []string{"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"}

// childEnvPrefixes are prefixes of the names a child keeps.
var childEnvPrefixes = []string{"DOCKER_", "PACK_", "XDG_", "LC_", "GO"}

// ChildEnv returns the part of env (KEY=value entries) a child gets.
func ChildEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if keepEnv(name) {
			out = append(out, kv)
		}
	}
	return out
}

// keepEnv reports whether a child keeps the variable name.
func keepEnv(name string) bool {
	for _, n := range childEnvNames {
		if name == n {
			return true
		}
	}
	for _, p := range childEnvPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
