package logs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestRing(t *testing.T) {
	push := func(r *ring, from, to uint64, text string) {
		for seq := from; seq <= to; seq++ {
			r.push(entry{line: engine.LogLine{Seq: seq, Text: text}})
		}
	}
	held := func(r *ring) []uint64 {
		var out []uint64
		for i := range r.len() {
			out = append(out, r.at(i).line.Seq)
		}
		return out
	}
	t.Run("keeps the newest lines", func(t *testing.T) {
		r := newRing(4, 1<<20)
		push(&r, 1, 3, "x")
		assert.Equal(t, []uint64{1, 2, 3}, held(&r))
		push(&r, 4, 10, "x")
		assert.Equal(t, []uint64{7, 8, 9, 10}, held(&r))
		assert.LessOrEqual(t, len(r.buf), 16)
	})
	t.Run("bounded by bytes", func(t *testing.T) {
		big := strings.Repeat("b", 1000)
		r := newRing(100, 3*lineCost(&engine.LogLine{Text: big}))
		push(&r, 1, 10, big)
		assert.Equal(t, []uint64{8, 9, 10}, held(&r))
		r.push(entry{line: engine.LogLine{Seq: 11, Text: strings.Repeat("h", 1<<20)}})
		assert.Equal(t, []uint64{11}, held(&r), "the newest line is kept even alone over the bound")
		assert.Equal(t, r.bytes, lineCost(&r.at(0).line))
	})
	t.Run("search finds a seq across holes", func(t *testing.T) {
		r := newRing(10, 1<<20)
		for _, seq := range []uint64{3, 4, 7, 8, 12} {
			r.push(entry{line: engine.LogLine{Seq: seq}})
		}
		for _, tc := range []struct {
			seq  uint64
			want int
		}{{1, 0}, {3, 0}, {5, 2}, {8, 3}, {9, 4}, {12, 4}, {13, 5}} {
			assert.Equal(t, tc.want, r.search(tc.seq), "seq %d", tc.seq)
		}
	})
}
