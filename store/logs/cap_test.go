package logs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCap(t *testing.T) {
	const capBytes, segBytes = 512 << 10, 64 << 10
	dir := t.TempDir()
	s := openStore(t, dir, Options{MaxBytesPerApp: capBytes, SegmentBytes: segBytes})
	pad := strings.Repeat("x", 200)
	n := 0
	reached := false
	for round := range 40 {
		for range 500 {
			n++
			s.Append(mkLine("shop", fmt.Sprintf("%d %s", n, pad)))
		}
		flush(t, s)
		size := diskBytes(t, dir, "shop")
		require.LessOrEqual(t, size, int64(capBytes), "round %d", round)
		if size > capBytes-segBytes {
			reached = true
		}
		if reached {
			require.Greater(t, size, int64(capBytes-segBytes), "round %d: at most one segment of slack below the cap", round)
		}
		assert.Equal(t, size, s.Stats().Apps["shop"].DiskBytes)
	}
	require.True(t, reached)

	lines := query(t, s, engine.LogQuery{App: "shop"})
	require.NotEmpty(t, lines)
	assert.Greater(t, lines[0].Seq, uint64(1), "the oldest lines went first")
	for i, l := range lines {
		require.Equal(t, lines[0].Seq+uint64(i), l.Seq, "what is kept is the newest, without holes")
	}
	assert.Equal(t, uint64(n), lines[len(lines)-1].Seq)

	t.Run("a lower cap on reopening trims the history", func(t *testing.T) {
		require.NoError(t, s.Close())
		s2 := openStore(t, dir, Options{MaxBytesPerApp: 256 << 10, SegmentBytes: segBytes})
		assert.LessOrEqual(t, diskBytes(t, dir, "shop"), int64(256<<10))
		lines := query(t, s2, engine.LogQuery{App: "shop"})
		assert.Equal(t, uint64(n), lines[len(lines)-1].Seq)
	})
}
