package syncbuf_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/internal/syncbuf"
)

// TestConcurrentWritesAndReads writes lines from many goroutines while
// reading (the race detector checks the locking): every line arrives
// whole.
func TestConcurrentWritesAndReads(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				_, _ = fmt.Fprintf(&b, "writer %d line %d\n", w, i)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	assert.Len(t, lines, 800)
	for _, l := range lines {
		assert.Regexp(t, `^writer \d line \d+$`, l)
	}
	assert.Equal(t, len(b.String()), b.Len())
}
