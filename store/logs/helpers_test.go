package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// clock is a Now for tests: each call is one millisecond after the last.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// openStore opens a store in dir and closes it when the test ends.
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mkLine returns a stdout line of app's web.1 at release 3.
func mkLine(app, text string) engine.LogLine {
	return engine.LogLine{App: app, Process: "web", Replica: 1, Release: 3, Stream: engine.StreamStdout, Text: text}
}

// appendN appends n lines "line <i>" (from 1) to app.
func appendN(s *Store, app string, from, n int) {
	for i := from; i < from+n; i++ {
		s.Append(mkLine(app, fmt.Sprintf("line %d", i)))
	}
}

// flush waits until everything appended is on disk.
func flush(t testing.TB, s *Store) {
	t.Helper()
	require.NoError(t, s.Flush(context.Background()))
}

// query runs q and fails the test on error.
func query(t testing.TB, s *Store, q engine.LogQuery) []engine.LogLine {
	t.Helper()
	lines, err := s.Query(context.Background(), q)
	require.NoError(t, err)
	return lines
}

// texts returns the texts of lines.
func texts(lines []engine.LogLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

// seqs returns the Seqs of lines.
func seqs(lines []engine.LogLine) []uint64 {
	out := make([]uint64, len(lines))
	for i, l := range lines {
		out[i] = l.Seq
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// receive reads n deliveries from ch, failing after a deadline.
func receive(t testing.TB, ch <-chan engine.LogDelivery, n int) []engine.LogDelivery {
	t.Helper()
	out := make([]engine.LogDelivery, 0, n)
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case d, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %d of %d deliveries", len(out), n)
			}
			out = append(out, d)
		case <-timeout:
			t.Fatalf("got %d of %d deliveries before the deadline", len(out), n)
		}
	}
	return out
}

// waitClosed drains ch until it is closed, failing after a deadline.
func waitClosed(t testing.TB, ch <-chan engine.LogDelivery) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("channel not closed before the deadline")
		}
	}
}

// segFiles returns the app's segment file paths, oldest first.
func segFiles(t testing.TB, dir, app string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, app, "*.seg"))
	require.NoError(t, err)
	return files
}

// diskBytes returns the total size of the app's segment files.
func diskBytes(t testing.TB, dir, app string) int64 {
	t.Helper()
	var total int64
	for _, f := range segFiles(t, dir, app) {
		info, err := os.Stat(f)
		require.NoError(t, err)
		total += info.Size()
	}
	return total
}
