package cnb

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder records each Write and counts flushes.
type recorder struct {
	mu      sync.Mutex
	writes  []string
	flushes int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
}

func TestOutput(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	_, _ = o.Write([]byte("===> BUILDING\n\x1b[36mcolour\x1b[0m and "))
	_, _ = o.Write([]byte("more\r\nsecond\nthird"))
	o.Line("own line")
	o.Finish()

	assert.Equal(t, []string{"colour and more\n", "second\n", "own line\n", "third\n"}, rec.writes,
		"whole lines, one per write, colour codes dropped; the phase header is a step's")
	assert.Equal(t, len(rec.writes), rec.flushes, "a flush after each line")
	assert.Equal(t, "own line\nthird", o.Tail(2))
	assert.Len(t, o.Lines(), 5)
}

func TestOutputLimits(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	_, _ = o.Write([]byte(strings.Repeat("x", maxLineBytes+10)))
	o.Finish()
	assert.Equal(t, []int{maxLineBytes + 1, 11}, []int{len(rec.writes[0]), len(rec.writes[1])}, "a long line is cut")

	for i := range keptLines + 5 {
		o.Line(fmt.Sprint(i))
	}
	lines := o.Lines()
	assert.Len(t, lines, keptLines)
	assert.Equal(t, fmt.Sprint(keptLines+4), lines[len(lines)-1])
	assert.Equal(t, strings.Count(o.Tail(tailLines), "\n")+1, tailLines)
}

func TestOutputDropsPackAdvice(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	_, _ = o.Write([]byte("Warning: Detected pack is running in a container; ... Re-run with '--pull-policy=always' to silence this warning.\nbuildpack says hi\n"))
	assert.Equal(t, []string{"buildpack says hi\n"}, rec.writes)
}

func TestOutputClose(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	_, _ = o.Write([]byte("one\ntwo"))
	o.Close()
	_, err := o.Write([]byte("late\n"))
	assert.NoError(t, err)
	o.Line("later")
	assert.Equal(t, []string{"one\n", "two\n"}, rec.writes, "the open line is finished, nothing comes after")
}

func TestOutputNilWriter(t *testing.T) {
	o := newOutput(nil)
	_, err := o.Write([]byte("a\nb\n"))
	assert.NoError(t, err)
	assert.Equal(t, "a\nb", o.Tail(5))
}
