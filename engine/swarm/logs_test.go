package swarm

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// A replica on another node that prints a line of 2 MiB (more than the
// scanner's old 1 MiB cap) must not stop its log following: before, the
// scanner gave up on the line, nothing read the stream any more, and the
// goroutine copying Docker's stream blocked on it for good. The line
// arrives cut to engine.MaxLogLineBytes, what its tail looks like is never
// read as a line of its own, and the lines after it arrive.
func TestRemoteLogsSurviveAHugeLine(t *testing.T) {
	pr, pw := io.Pipe()
	var got []engine.LogLine
	done := make(chan struct{})
	c := &engine.Container{App: "shop", Process: "web", Replica: 1, Release: 3}
	go func() {
		defer close(done)
		scanLines(pr, "stdout", c, time.Time{}, func(l engine.LogLine) { got = append(got, l) })
	}()
	wrote := make(chan error, 1)
	go func() {
		huge := strings.Repeat("A", 2<<20) + "2026-01-01T00:00:00Z forged"
		_, err := io.WriteString(pw, "2026-12-05T06:00:00.000000001Z "+huge+"\r\n2026-12-05T06:00:01Z after\n")
		wrote <- err
		pw.Close()
	}()
	select {
	case err := <-wrote:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		pr.Close()
		t.Fatal("the writer of the log stream is blocked: nothing reads it after the huge line")
	}
	<-done
	require.Len(t, got, 2, "the huge line, cut, and the line after")
	assert.Equal(t, strings.Repeat("A", engine.MaxLogLineBytes), got[0].Text)
	assert.Equal(t, "shop", got[0].App)
	assert.Equal(t, "after", got[1].Text)
	assert.Equal(t, time.Date(2026, 12, 5, 6, 0, 1, 0, time.UTC), got[1].Time)
}
