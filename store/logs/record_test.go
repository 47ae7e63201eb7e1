package logs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRecord(t *testing.T) {
	l := engine.LogLine{
		Seq: 1 << 40, Time: time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC), App: "shop",
		Process: "worker", Replica: 12, Release: 345, Stream: engine.StreamStderr, Text: strings.Repeat("ä", 100),
	}
	rec := appendRecord(nil, &l)

	t.Run("round trip", func(t *testing.T) {
		p, n, err := nextRecord(rec)
		require.NoError(t, err)
		assert.Equal(t, len(rec), n)
		got, err := decodeLine("shop", p)
		require.NoError(t, err)
		assert.Equal(t, l, got)
		k, err := decodeKey(p)
		require.NoError(t, err)
		assert.Equal(t, recordKey{seq: l.Seq, time: l.Time.UnixNano(), process: []byte("worker")}, k)
	})
	t.Run("compact", func(t *testing.T) {
		short := engine.LogLine{Seq: 1000, Time: time.Now(), Process: "web", Stream: "stdout", Text: "GET / 200"}
		assert.Less(t, len(appendRecord(nil, &short)), 50)
	})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"torn header", rec[:5]},
		{"torn payload", rec[:len(rec)-1]},
		{"flipped byte", flip(rec, len(rec)-3)},
		{"flipped checksum", flip(rec, 5)},
		{"length zero", append([]byte{0, 0, 0, 0}, rec[4:]...)},
		{"length too large", flip(rec, 3)},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, _, err := nextRecord(tc.b)
			assert.ErrorIs(t, err, errBadRecord)
		})
	}
	t.Run("scan stops at damage", func(t *testing.T) {
		b := append([]byte(segmentHeader), rec...)
		b = append(b, rec...)
		b = append(b, rec[:10]...)
		count := 0
		end, damaged, err := scan(b, func([]byte, int) error { count++; return nil })
		require.NoError(t, err)
		assert.True(t, damaged)
		assert.Equal(t, 2, count)
		assert.Equal(t, len(segmentHeader)+2*len(rec), end)
	})
	t.Run("segment names sort by seq", func(t *testing.T) {
		assert.Equal(t, "00000000000000000042.seg", segName(42))
		first, ok := parseSegName(segName(1 << 60))
		assert.True(t, ok)
		assert.Equal(t, uint64(1<<60), first)
		for _, bad := range []string{"42.seg", "0000000000000000004x.seg", "00000000000000000042.log", "../00000000000000000042.seg"} {
			_, ok := parseSegName(bad)
			assert.False(t, ok, bad)
		}
	})
}

// flip returns a copy of b with byte i inverted.
func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0xff
	return c
}
