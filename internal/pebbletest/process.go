package pebbletest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// logBuffer collects a process's output and counts the lines that contain
// each of a few markers.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial string
	counts  map[string]int
}

func newLogBuffer(markers ...string) *logBuffer {
	counts := make(map[string]int, len(markers))
	for _, m := range markers {
		counts[m] = 0
	}
	return &logBuffer{counts: counts}
}

// Write implements io.Writer; it is safe for concurrent use.
func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	lines := strings.Split(l.partial+string(p), "\n")
	l.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		for marker := range l.counts {
			if strings.Contains(line, marker) {
				l.counts[marker]++
			}
		}
	}
	return len(p), nil
}

func (l *logBuffer) count(marker string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[marker]
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startProcess runs bin with args and env added to the environment, its
// output going to out, and kills it on t.Cleanup. When the test failed, the
// output is logged.
func startProcess(t testing.TB, out *logBuffer, env []string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = out
	cmd.Stderr = out
	require.NoError(t, cmd.Start(), "start %s", bin)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", bin, tail(out.String(), 60))
		}
	})
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
